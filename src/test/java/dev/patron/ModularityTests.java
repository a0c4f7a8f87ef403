package dev.patron;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/** Module boundaries: each module uses only the APIs its package-info allows; no cycles. */
class ModularityTests {

    // production code only: test classes may use any module's fixtures (e.g. console page tests
    // record sales through SalesFixtures), and test-only packages such as faults are not modules
    static final ApplicationModules MODULES =
            ApplicationModules.of(PatronApplication.class, ModularityTests::notATestClass);

    // ArchUnit's DoNotIncludeTests knows only target/test-classes; builds here also use
    // -Dbuild.dir=target-xyz
    private static boolean notATestClass(com.tngtech.archunit.core.importer.Location location) {
        return !location.contains("/test-classes/");
    }

    @Test
    void modulesRespectTheirDeclaredDependencies() {
        MODULES.verify();
    }

    @Test
    void writesTheModuleDiagramIntoDocs() {
        new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder("docs/modules"))
                .writeModulesAsPlantUml()
                .writeIndividualModulesAsPlantUml()
                .writeModuleCanvases();
    }
}
