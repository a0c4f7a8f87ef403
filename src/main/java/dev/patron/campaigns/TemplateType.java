package dev.patron.campaigns;

/**
 * How a message is classified (MKT-07, MKT-09): a verification code, a service notice (card balance
 * changes, closure notices; no marketing content) or marketing. Campaigns send NOTICE templates
 * (campaign kind NOTICE) or MARKETING templates (every other kind); VERIFICATION codes are not sent
 * by campaigns.
 */
public enum TemplateType {
    VERIFICATION,
    NOTICE,
    MARKETING
}
