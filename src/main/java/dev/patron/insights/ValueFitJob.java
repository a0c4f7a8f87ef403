package dev.patron.insights;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Refits the value model on the last 52 weeks every week (Monday 03:00 Shanghai time) and rescores
 * every member; when the fit is refused (too little history, no convergence) the attempt is kept
 * in the history and the members are rescored with the model in use. On several app instances
 * only one runs it (ShedLock, through the application's lock provider and its table).
 */
@Component
class ValueFitJob {

    private final ValueModel model;

    ValueFitJob(ValueModel model) {
        this.model = model;
    }

    @Scheduled(cron = "${patron.insights.value-fit-cron:0 0 3 * * MON}", zone = "Asia/Shanghai")
    @SchedulerLock(name = "insights.value-fit", lockAtMostFor = "PT3H")
    void weekly() {
        model.scheduledFit();
    }
}
