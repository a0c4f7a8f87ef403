package dev.patron.members;

/** An individual (个体会员) or an institution (机构会员: a company with contact persons). */
public enum MemberKind {
    INDIVIDUAL,
    INSTITUTION
}
