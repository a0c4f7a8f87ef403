package dev.patron.demo;

import dev.patron.organization.BrandCommand;
import dev.patron.organization.CategoryCommand;
import dev.patron.organization.CounterCommand;
import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.RegionCommand;
import dev.patron.organization.StoreCommand;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Builds a demo department-store chain through the modules' APIs (so every rule and audit entry
 * applies). Deterministic: all choices come from one {@link Random} seeded by the caller.
 */
@Component
public class DemoGenerator {

    /** What to generate. {@code staffPassword} null means a random one, reported in the result. */
    public record Settings(int seed, int stores, int counters, int brands, String staffPassword) {}

    public record Result(
            int regions, int stores, int counters, int brands, int categories, int staff, String staffPassword) {}

    record RegionSpec(String code, String name, String[] cities) {}

    static final List<RegionSpec> REGIONS = List.of(
            new RegionSpec("EAST", "华东区", new String[] {"上海", "杭州", "南京", "苏州", "宁波", "合肥"}),
            new RegionSpec("NORTH", "华北区", new String[] {"北京", "天津", "石家庄", "太原", "济南"}),
            new RegionSpec("SOUTH", "华南区", new String[] {"广州", "深圳", "厦门", "南宁", "福州"}),
            new RegionSpec("SOUTHWEST", "西南区", new String[] {"成都", "重庆", "昆明", "贵阳"}),
            new RegionSpec("CENTRAL", "华中区", new String[] {"武汉", "长沙", "郑州", "南昌"}));

    /** Top-level category, its code and its subcategories (code, name). */
    static final String[][][] CATEGORIES = {
        {{"WOMEN", "女装"}, {"WOMEN-DRESS", "连衣裙"}, {"WOMEN-TOP", "女士上衣"}, {"WOMEN-COAT", "女士外套"}},
        {{"MEN", "男装"}, {"MEN-SHIRT", "衬衫"}, {"MEN-SUIT", "西装"}, {"MEN-CASUAL", "休闲裤"}},
        {{"SHOES", "鞋履"}, {"SHOES-WOMEN", "女鞋"}, {"SHOES-MEN", "男鞋"}, {"SHOES-SPORT", "运动鞋"}},
        {{"BAGS", "箱包皮具"}, {"BAGS-WOMEN", "女包"}, {"BAGS-MEN", "男包"}, {"BAGS-BELT", "皮带"}},
        {{"ACCESSORY", "配饰"}, {"ACC-SCARF", "围巾"}, {"ACC-HAT", "帽子"}, {"ACC-WATCH", "手表"}},
        {{"BEAUTY", "化妆品"}, {"BEAUTY-SKIN", "护肤"}, {"BEAUTY-MAKEUP", "彩妆"}, {"BEAUTY-FRAGRANCE", "香水"}},
        {{"JEWELRY", "珠宝首饰"}, {"JEWELRY-GOLD", "黄金"}, {"JEWELRY-DIAMOND", "钻石"}, {"JEWELRY-SILVER", "银饰"}},
        {{"KIDS", "儿童"}, {"KIDS-WEAR", "童装"}, {"KIDS-TOY", "玩具"}},
        {{"SPORT", "运动户外"}, {"SPORT-WEAR", "运动服"}, {"SPORT-OUTDOOR", "户外装备"}},
        {{"HOME", "家居"}, {"HOME-BED", "床上用品"}, {"HOME-KITCHEN", "厨具"}},
        {{"FOOD", "餐饮"}, {"FOOD-DINING", "正餐"}, {"FOOD-CAFE", "咖啡甜品"}},
    };

    private static final String[] BRAND_HEAD = {
        "雅", "诗", "君", "逸", "凯", "朗", "悦", "曼", "锦", "韵", "卓", "柏", "澜", "素", "望", "星"
    };
    private static final String[] BRAND_TAIL = {
        "琳", "格", "蔓", "度", "舍", "尚", "派", "缇", "森", "菲", "迪", "莎", "洛", "尔", "perfect"
    };
    private static final String[] EN_HEAD = {
        "Al", "Bel", "Cor", "Del", "Ev", "Fio", "Gra", "Hal", "Ir", "Jun", "Ka", "Lu", "Mo", "Nor", "Or", "Pia"
    };
    private static final String[] EN_TAIL = {
        "ena", "ano", "via", "ton", "ette", "ora", "ine", "is", "elle", "mont", "ari", "oso"
    };
    private static final String[] DISTRICTS = {"中心", "万达", "新城", "东湖", "西湖", "滨江", "南站", "北湖", "金融城", "高新"};
    private static final String[] SUPPLIER_PLACE = {"上海", "广州", "深圳", "杭州", "北京", "宁波", "温州", "泉州"};
    private static final String[] SUPPLIER_KIND = {"服饰", "商贸", "时尚", "实业", "贸易", "品牌管理"};
    private static final String[] FLOORS = {"B1", "1F", "2F", "3F", "4F", "5F"};
    private static final String[] SURNAMES = {
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"
    };
    private static final String[] GIVEN = {
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "超", "秀英", "婷"
    };

    private final OrganizationManagement organization;
    private final StaffManagement staff;

    DemoGenerator(OrganizationManagement organization, StaffManagement staff) {
        this.organization = organization;
        this.staff = staff;
    }

    public Result generate(Settings s) {
        if (organization.counts().stores() > 0) {
            throw new IllegalStateException(
                    "The database already has stores: the demo generator only fills an empty database. "
                            + "Use a new data directory (PATRON_DB_DATA_DIR) for a demo.");
        }
        Random random = new Random(s.seed());
        String password = s.staffPassword() != null
                ? s.staffPassword()
                : "Demo-" + Long.toString(Math.abs(new java.security.SecureRandom().nextLong()), 36);

        for (RegionSpec r : REGIONS) {
            organization.createRegion(new RegionCommand(r.code(), r.name()));
        }
        List<String> leafCategories = new ArrayList<>();
        int categories = 0;
        for (int i = 0; i < CATEGORIES.length; i++) {
            String[][] group = CATEGORIES[i];
            organization.createCategory(new CategoryCommand(group[0][0], group[0][1], null, i * 10));
            categories++;
            for (int j = 1; j < group.length; j++) {
                organization.createCategory(new CategoryCommand(group[j][0], group[j][1], group[0][0], j * 10));
                leafCategories.add(group[j][0]);
                categories++;
            }
        }

        List<String> storeCodes = new ArrayList<>();
        Set<String> storeNames = new LinkedHashSet<>();
        for (int i = 1; i <= s.stores(); i++) {
            RegionSpec region = REGIONS.get((i - 1) % REGIONS.size());
            String city = region.cities()[random.nextInt(region.cities().length)];
            String name;
            do {
                name = "阳光百货" + city + DISTRICTS[random.nextInt(DISTRICTS.length)] + "店";
            } while (!storeNames.add(name) && storeNames.size() < REGIONS.size() * 60);
            String code = String.format("S%03d", i);
            LocalDate opened = LocalDate.of(2005 + random.nextInt(18), 1 + random.nextInt(12), 1 + random.nextInt(28));
            organization.createStore(new StoreCommand(
                    code,
                    name,
                    region.code(),
                    "阳光百货(" + city + ")有限公司",
                    city,
                    city + "市" + DISTRICTS[random.nextInt(DISTRICTS.length)] + "路" + (1 + random.nextInt(999)) + "号",
                    "0" + (10 + random.nextInt(89)) + "-" + (60000000 + random.nextInt(39999999)),
                    "Asia/Shanghai",
                    opened,
                    "ACTIVE"));
            storeCodes.add(code);
        }

        List<String> brandCodes = new ArrayList<>();
        Set<String> brandNames = new LinkedHashSet<>();
        for (int i = 1; i <= s.brands(); i++) {
            String name;
            String en;
            do {
                name = BRAND_HEAD[random.nextInt(BRAND_HEAD.length)]
                        + BRAND_TAIL[random.nextInt(BRAND_TAIL.length - 1)];
                en = EN_HEAD[random.nextInt(EN_HEAD.length)] + EN_TAIL[random.nextInt(EN_TAIL.length)];
            } while (!brandNames.add(name + "/" + en));
            String code = String.format("B%03d", i);
            organization.createBrand(new BrandCommand(
                    code, name + " " + en, en, leafCategories.get(random.nextInt(leafCategories.size())), "ACTIVE"));
            brandCodes.add(code);
        }

        for (int i = 1; i <= s.counters() && !storeCodes.isEmpty(); i++) {
            String store = storeCodes.get((i - 1) % storeCodes.size());
            int brandCount = brandCodes.isEmpty() ? 0 : 1 + random.nextInt(Math.min(3, brandCodes.size()));
            Set<String> brands = new LinkedHashSet<>();
            while (brands.size() < brandCount) {
                brands.add(brandCodes.get(random.nextInt(brandCodes.size())));
            }
            String supplier = SUPPLIER_PLACE[random.nextInt(SUPPLIER_PLACE.length)]
                    + BRAND_HEAD[random.nextInt(BRAND_HEAD.length)] + BRAND_TAIL[random.nextInt(BRAND_TAIL.length - 1)]
                    + SUPPLIER_KIND[random.nextInt(SUPPLIER_KIND.length)] + "有限公司";
            String firstBrand = brands.isEmpty()
                    ? "综合"
                    : organization
                            .brand(brands.iterator().next())
                            .orElseThrow()
                            .name()
                            .split(" ")[0];
            organization.createCounter(new CounterCommand(
                    String.format("C%04d", i),
                    firstBrand + "专柜",
                    store,
                    supplier,
                    String.format("SUP%04d", 1 + random.nextInt(400)),
                    FLOORS[random.nextInt(FLOORS.length)],
                    List.copyOf(brands),
                    "ACTIVE"));
        }

        int staffCount = 0;
        staffCount += account("marketer", EnumSet.of(Role.MARKETER), null, password, random);
        staffCount += account("analyst", EnumSet.of(Role.ANALYST), null, password, random);
        staffCount += account("finance", EnumSet.of(Role.FINANCE), null, password, random);
        for (int i = 1; i <= 5; i++) {
            staffCount += account("agent" + i, EnumSet.of(Role.AGENT), null, password, random);
        }
        for (String store : storeCodes) {
            String suffix = store.toLowerCase();
            staffCount += account("manager." + suffix, EnumSet.of(Role.STORE_MANAGER), store, password, random);
            staffCount += account("sales1." + suffix, EnumSet.of(Role.COUNTER_STAFF), store, password, random);
            staffCount += account("sales2." + suffix, EnumSet.of(Role.COUNTER_STAFF), store, password, random);
        }
        return new Result(
                REGIONS.size(),
                storeCodes.size(),
                Math.min(s.counters(), storeCodes.isEmpty() ? 0 : s.counters()),
                brandCodes.size(),
                categories,
                staffCount,
                password);
    }

    private int account(String username, Set<Role> roles, String store, String password, Random random) {
        String name = SURNAMES[random.nextInt(SURNAMES.length)] + GIVEN[random.nextInt(GIVEN.length)];
        staff.createAccount(new StaffCommand(
                username,
                name,
                username.replace('.', '-') + "@demo.patron.dev",
                roles,
                store == null,
                store == null ? List.of() : List.of(store),
                password,
                true));
        return 1;
    }
}
