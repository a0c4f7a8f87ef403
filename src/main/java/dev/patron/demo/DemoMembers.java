package dev.patron.demo;

import dev.patron.members.ImportCommand;
import dev.patron.members.ImportJob;
import dev.patron.members.ImportMode;
import dev.patron.members.JoinChannel;
import dev.patron.members.MemberCommand;
import dev.patron.members.MemberManagement;
import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.springframework.stereotype.Component;

/**
 * Demo members: Chinese names, real-looking mobile numbers, birthdays, join dates over the last
 * three years at the demo stores, and a few duplicates (same name and birthday, shared e-mail,
 * shared family phone) for the merge screen. Goes through the member import (streaming, set-based)
 * so that millions of members are generated in minutes, not hours. Deterministic for a seed.
 */
@Component
public class DemoMembers {

    static final String[] SURNAMES = {
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁",
        "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程",
        "苏", "魏", "吕", "丁", "任", "沈", "欧阳", "司马", "上官"
    };
    static final String[] GIVEN = {
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "超", "明", "霞", "秀英", "婷", "浩然", "子涵",
        "欣怡", "梓轩", "雨桐", "宇航", "思琪", "俊杰", "佳怡", "一诺", "晨", "悦", "鑫", "琳", "博文"
    };
    static final String[] MOBILE_PREFIXES = {
        "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183", "187", "188", "130",
        "131", "132", "155", "156", "185", "186", "133", "153", "177", "180", "181", "189", "199"
    };
    static final String[] OCCUPATIONS = {"教师", "工程师", "医生", "公务员", "销售", "设计师", "会计", "自由职业", "学生", "企业主"};
    static final String[] TAGS = {"高消费", "美妆控", "亲子家庭", "运动达人", "商务人士", "学生党"};

    private final MemberManagement members;
    private final OrganizationManagement organization;

    DemoMembers(MemberManagement members, OrganizationManagement organization) {
        this.members = members;
        this.organization = organization;
    }

    /** Creates {@code count} members (plus a few duplicates) and returns how many exist afterwards. */
    public long generate(int seed, int count) {
        List<String> stores = organization.allStores().stream().map(Store::code).toList();
        if (count == 0 || stores.isEmpty()) {
            return 0;
        }
        Random random = new Random(seed * 31L + 7);
        LocalDate today = LocalDate.now();
        Path file;
        try {
            file = Files.createTempFile("patron-demo-members", ".csv");
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write("name,phone,email,gender,birthday,city,store,joined,occupation,tags\n");
                for (int i = 0; i < count; i++) {
                    String surname = SURNAMES[random.nextInt(SURNAMES.length)];
                    String name = surname
                            + GIVEN[random.nextInt(GIVEN.length)]
                            + (random.nextInt(3) == 0 ? GIVEN[random.nextInt(GIVEN.length)] : "");
                    String phone = phone(i);
                    boolean female = random.nextInt(100) < 58;
                    LocalDate birthday = LocalDate.of(1950, 1, 1).plusDays(random.nextInt(365 * 58));
                    LocalDate joined = today.minusDays(random.nextInt(365 * 3));
                    String store = stores.get(random.nextInt(stores.size()));
                    String email = random.nextInt(3) == 0 ? "m" + i + "@demo.patron.dev" : "";
                    String tags = random.nextInt(4) == 0 ? TAGS[random.nextInt(TAGS.length)] : "";
                    // about 1 in 100 is the same person signed up twice: same name and birthday, another phone
                    if (i > 0 && random.nextInt(100) == 0) {
                        w.write(name + "," + phone(count + i) + ",," + (female ? "女" : "男") + "," + birthday + ",,"
                                + store + "," + joined.minusDays(random.nextInt(200)) + ",,\n");
                    }
                    w.write(name + "," + phone + "," + email + "," + (female ? "女" : "男") + "," + birthday + ",,"
                            + store + "," + joined + "," + OCCUPATIONS[random.nextInt(OCCUPATIONS.length)] + "," + tags
                            + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            long jobId = members.uploadImport("demo-members.csv", in).jobId();
            ImportJob job = members.runImport(
                    jobId,
                    new ImportCommand(
                            Map.of(
                                    "name",
                                    "name",
                                    "phone",
                                    "phone",
                                    "email",
                                    "email",
                                    "gender",
                                    "gender",
                                    "birthday",
                                    "birthday",
                                    "store",
                                    "preferredStoreCode",
                                    "joined",
                                    "joinedOn",
                                    "occupation",
                                    "occupation",
                                    "tags",
                                    "tags"),
                            ImportMode.SKIP_BAD_ROWS));
            // families sharing one phone (the merge screen shows them as "same phone")
            for (int i = 0; i < Math.min(10, count / 100 + 1); i++) {
                members.create(
                        new MemberCommand(
                                null,
                                SURNAMES[i % SURNAMES.length] + "小" + GIVEN[i % GIVEN.length],
                                phone(i * 7L % count),
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                stores.get(i % stores.size()),
                                null,
                                null,
                                null,
                                JoinChannel.STORE_DESK,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                true),
                        JoinChannel.STORE_DESK);
            }
            return job.createdRows();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a left-over temporary file is harmless
            }
        }
    }

    /** The i-th demo mobile number: distinct for every i below 30 × 10^8 (a bijection of the 8-digit space per prefix). */
    static String phone(long i) {
        String prefix = MOBILE_PREFIXES[(int) (i % MOBILE_PREFIXES.length)];
        long n = i / MOBILE_PREFIXES.length;
        long scrambled = (n * 48_271L + 13_579_246L) % 100_000_000L;
        return prefix + String.format("%08d", scrambled);
    }
}
