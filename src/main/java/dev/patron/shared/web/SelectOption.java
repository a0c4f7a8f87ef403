package dev.patron.shared.web;

/** One choice of a select or checkbox group on a console form: the submitted value and the visible label. */
public record SelectOption(String value, String label) {}
