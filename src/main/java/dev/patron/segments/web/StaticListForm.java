package dev.patron.segments.web;

import org.springframework.web.multipart.MultipartFile;

/** Static list upload: a name, what the values are, and a file or pasted text. */
public class StaticListForm {

    private String name;
    private String description;
    private String identifierKind = "PHONE";
    private String content;
    private MultipartFile file;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getIdentifierKind() {
        return identifierKind;
    }

    public void setIdentifierKind(String identifierKind) {
        this.identifierKind = identifierKind;
    }

    public String getContent() {
        return content;
    }

    public void setContent(String content) {
        this.content = content;
    }

    public MultipartFile getFile() {
        return file;
    }

    public void setFile(MultipartFile file) {
        this.file = file;
    }
}
