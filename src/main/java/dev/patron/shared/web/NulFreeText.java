package dev.patron.shared.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * PostgreSQL cannot store the NUL character in text. A JSON string containing {@code \u0000} is
 * refused while the body is read — 400 naming the field — instead of failing in the database (500)
 * after part of the work is done. Spring Boot registers every {@link JacksonModule} bean.
 */
@Configuration(proxyBeanMethods = false)
class NulFreeText {

    @Bean
    JacksonModule nulFreeStrings() {
        return new SimpleModule("patron-nul-free-strings").addDeserializer(String.class, new Deserializer());
    }

    /** The same for request parameters and path variables of the API: 400 naming the parameter. */
    @org.springframework.web.bind.annotation.ControllerAdvice(
            annotations = org.springframework.web.bind.annotation.RestController.class)
    static class Parameters {
        @org.springframework.web.bind.annotation.InitBinder
        void initBinder(org.springframework.web.bind.WebDataBinder binder) {
            binder.registerCustomEditor(String.class, new java.beans.PropertyEditorSupport() {
                @Override
                public void setAsText(String text) {
                    if (text != null && text.indexOf('\0') >= 0) {
                        throw new IllegalArgumentException("the NUL character is not allowed");
                    }
                    setValue(text);
                }
            });
        }
    }

    static final class Deserializer extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws JacksonException {
            String s = super.deserialize(p, ctxt);
            if (s != null && s.indexOf('\0') >= 0) {
                return (String) ctxt.handleWeirdStringValue(String.class, s, "the NUL character is not allowed");
            }
            return s;
        }
    }
}
