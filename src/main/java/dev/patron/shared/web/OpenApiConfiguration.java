package dev.patron.shared.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI description at /api/openapi.json (browsable at /swagger-ui.html). */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI patronOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Patron API")
                        .version("v1")
                        .description("Membership CRM for retail and service chains. Authenticate with "
                                + "'Authorization: Bearer <api key>'; errors are RFC 9457 problem+json."))
                .components(new Components()
                        .addSecuritySchemes(
                                "apiKey",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .description("Patron API key")))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"));
    }
}
