package dev.patron.members;

/** An id of the member in another system, e.g. {@code {"system": "wechat", "value": "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"}}. */
public record ExternalId(String system, String value) {}
