package dev.patron;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every text exists in English and Simplified Chinese (after spring-petclinic's I18nPropertiesSyncTest). */
class I18nPropertiesSyncTests {

    @Test
    void everyKeyExistsInBothLanguages() throws Exception {
        Properties en = load("/messages.properties");
        Properties zh = load("/messages_zh_CN.properties");
        Set<String> missingInZh = new TreeSet<>(en.stringPropertyNames());
        missingInZh.removeAll(zh.stringPropertyNames());
        Set<String> missingInEn = new TreeSet<>(zh.stringPropertyNames());
        missingInEn.removeAll(en.stringPropertyNames());
        assertThat(missingInZh).as("keys missing in messages_zh_CN.properties").isEmpty();
        assertThat(missingInEn).as("keys missing in messages.properties").isEmpty();
    }

    @Test
    void noTextIsEmpty() throws Exception {
        for (String file : new String[] {"/messages.properties", "/messages_zh_CN.properties"}) {
            Properties p = load(file);
            for (String key : p.stringPropertyNames()) {
                assertThat(p.getProperty(key)).as("%s in %s", key, file).isNotBlank();
            }
        }
    }

    @Test
    void chineseTextsAreNotLeftInEnglish() throws Exception {
        Properties en = load("/messages.properties");
        Properties zh = load("/messages_zh_CN.properties");
        Set<String> untranslated = new TreeSet<>();
        for (String key : zh.stringPropertyNames()) {
            String z = zh.getProperty(key);
            boolean hasLetters = z.chars().anyMatch(Character::isLetter);
            boolean hasCjk = z.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
            if (hasLetters && !hasCjk && z.equals(en.getProperty(key)) && z.length() > 3) {
                untranslated.add(key);
            }
        }
        assertThat(untranslated)
                .as("texts identical to English in messages_zh_CN.properties")
                .isEmpty();
    }

    private static Properties load(String name) throws Exception {
        Properties p = new Properties();
        try (InputStream in = I18nPropertiesSyncTests.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }
}
