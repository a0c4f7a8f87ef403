package dev.patron.members;

/**
 * MARKETING needs an explicit opt-in (PIPL art. 13, 工信部令第31号: no answer counts as refusal);
 * SERVICE messages (card and account notices) rest on the membership contract and stop on opt-out.
 */
public enum ConsentPurpose {
    MARKETING,
    SERVICE
}
