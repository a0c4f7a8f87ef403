package dev.patron.members;

/** A contact person of an institutional member. */
public record ContactPerson(String name, String title, String phone, String email) {}
