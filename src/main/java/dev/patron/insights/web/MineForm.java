package dev.patron.insights.web;

/** The "mine now" form of the rules page; values as typed, checked by the API. */
public class MineForm {

    private String level = "CATEGORY";
    private String minSupport = "0.01";
    private String minConfidence = "0.5";
    private String from;
    private String to;

    public String getLevel() {
        return level;
    }

    public void setLevel(String level) {
        this.level = level;
    }

    public String getMinSupport() {
        return minSupport;
    }

    public void setMinSupport(String minSupport) {
        this.minSupport = minSupport;
    }

    public String getMinConfidence() {
        return minConfidence;
    }

    public void setMinConfidence(String minConfidence) {
        this.minConfidence = minConfidence;
    }

    public String getFrom() {
        return from;
    }

    public void setFrom(String from) {
        this.from = from;
    }

    public String getTo() {
        return to;
    }

    public void setTo(String to) {
        this.to = to;
    }
}
