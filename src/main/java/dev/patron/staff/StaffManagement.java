package dev.patron.staff;

import dev.patron.audit.AuditLog;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.security.StaffPrincipal;
import dev.patron.shared.security.StoreScope;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SqlFilter;
import dev.patron.shared.web.SqlPage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The staff module's API: staff accounts with roles and store scope, API keys, and the login
 * bookkeeping (failed attempts, lock-out). Only an ADMIN with all stores manages accounts and keys.
 */
@Service
public class StaffManagement {

    static final int MIN_PASSWORD_LENGTH = 10;
    private static final Map<String, String> SORT = Map.of(
            "username",
            "a.username",
            "displayName",
            "a.display_name",
            "lastLogin",
            "a.last_login_at",
            "created",
            "a.created_at");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final AuditLog audit;
    private final OrganizationManagement organization;
    private final StaffSecurityProperties settings;

    StaffManagement(
            JdbcClient jdbc,
            PasswordEncoder passwords,
            AuditLog audit,
            OrganizationManagement organization,
            StaffSecurityProperties settings) {
        this.jdbc = jdbc;
        this.passwords = passwords;
        this.audit = audit;
        this.organization = organization;
        this.settings = settings;
    }

    // ---------------------------------------------------------------- accounts

    @Transactional(readOnly = true)
    public long countAccounts() {
        return jdbc.sql("select count(*) from staff.account where enabled")
                .query(Long.class)
                .single();
    }

    /** Accounts per role (enabled accounts only), for the home page. */
    @Transactional(readOnly = true)
    public Map<Role, Long> countByRole() {
        Map<Role, Long> counts = new LinkedHashMap<>();
        for (Role r : Role.values()) {
            counts.put(r, 0L);
        }
        jdbc.sql(
                        "select r.role, count(*) from staff.account_role r join staff.account a on a.id = r.account_id where a.enabled group by r.role")
                .query((rs, n) -> counts.put(Role.valueOf(rs.getString(1)), rs.getLong(2)))
                .list();
        return counts;
    }

    @Transactional(readOnly = true)
    public PageResult<StaffAccount> accounts(PageQuery page, Role role) {
        requireStaffAdmin();
        SqlFilter f = new SqlFilter()
                .addIf(page.likePattern(), "(a.username ilike :q or a.display_name ilike :q or a.email ilike :q)", "q")
                .addIf(
                        role == null ? null : role.name(),
                        "exists (select 1 from staff.account_role r where r.account_id = a.id and r.role = :role)",
                        "role");
        String order = page.orderBy(SORT, "username");
        PageResult<StaffAccount> result = SqlPage.query(
                jdbc,
                "select count(*) from staff.account a" + f.where(),
                ACCOUNT_SELECT + f.where() + " order by " + order,
                f.params(),
                page,
                this::mapAccount);
        return new PageResult<>(withStoreCodes(result.items()), page.page(), page.size(), result.totalItems());
    }

    @Transactional(readOnly = true)
    public Optional<StaffAccount> account(long id) {
        requireStaffAdmin();
        return jdbc.sql(ACCOUNT_SELECT + " where a.id = ?")
                .param(id)
                .query(this::mapAccount)
                .optional()
                .map(a -> withStoreCodes(List.of(a)).get(0));
    }

    @Transactional
    public StaffAccount createAccount(StaffCommand cmd) {
        requireStaffAdmin();
        if (cmd.password() == null || cmd.password().isBlank()) {
            throw PatronException.invalid("password", "validation.required");
        }
        checkPassword(cmd.username(), cmd.password());
        List<Long> storeIds = storeIds(cmd.allStores(), cmd.storeCodes());
        long id;
        try {
            id = jdbc.sql("""
                    insert into staff.account(username, display_name, email, password_hash, enabled, all_stores)
                    values (?, ?, ?, ?, ?, ?) returning id""")
                    .params(
                            cmd.username().trim(),
                            cmd.displayName().trim(),
                            blankToNull(cmd.email()),
                            passwords.encode(cmd.password()),
                            cmd.enabled() == null || cmd.enabled(),
                            cmd.allStores())
                    .query(Long.class)
                    .single();
        } catch (DuplicateKeyException e) {
            throw PatronException.conflict("username", "error.username.duplicate", cmd.username());
        }
        writeRolesAndStores(id, cmd.roles(), storeIds);
        audit.record("staff.created", "staff", cmd.username().trim(), accountDetails(cmd));
        return account(id).orElseThrow();
    }

    @Transactional
    public StaffAccount updateAccount(long id, StaffCommand cmd) {
        requireStaffAdmin();
        StaffAccount current = account(id).orElseThrow(() -> PatronException.notFound("error.staff.notFound", id));
        StaffPrincipal me = CurrentStaff.get();
        boolean enabled = cmd.enabled() == null || cmd.enabled();
        if (me.kind() == StaffPrincipal.Kind.STAFF && me.id() == id) {
            if (!enabled) {
                throw PatronException.invalid("enabled", "error.staff.cannotDisableSelf");
            }
            if (!cmd.roles().contains(Role.ADMIN) || !cmd.allStores()) {
                throw PatronException.invalid("roles", "error.staff.cannotDemoteSelf");
            }
        }
        if (current.roles().contains(Role.ADMIN)
                && (!cmd.roles().contains(Role.ADMIN) || !enabled || !cmd.allStores())
                && otherHeadOfficeAdmins(id) == 0) {
            throw PatronException.invalid("roles", "error.staff.lastAdmin");
        }
        List<Long> storeIds = storeIds(cmd.allStores(), cmd.storeCodes());
        try {
            jdbc.sql("""
                    update staff.account set username = ?, display_name = ?, email = ?, enabled = ?, all_stores = ?, updated_at = now()
                    where id = ?""")
                    .params(
                            cmd.username().trim(),
                            cmd.displayName().trim(),
                            blankToNull(cmd.email()),
                            enabled,
                            cmd.allStores(),
                            id)
                    .update();
        } catch (DuplicateKeyException e) {
            throw PatronException.conflict("username", "error.username.duplicate", cmd.username());
        }
        if (cmd.password() != null && !cmd.password().isBlank()) {
            checkPassword(cmd.username(), cmd.password());
            jdbc.sql("update staff.account set password_hash = ?, password_changed_at = now() where id = ?")
                    .params(passwords.encode(cmd.password()), id)
                    .update();
        }
        jdbc.sql("delete from staff.account_role where account_id = ?")
                .param(id)
                .update();
        jdbc.sql("delete from staff.account_store where account_id = ?")
                .param(id)
                .update();
        writeRolesAndStores(id, cmd.roles(), storeIds);
        Map<String, Object> details = new LinkedHashMap<>(accountDetails(cmd));
        details.put("passwordChanged", cmd.password() != null && !cmd.password().isBlank());
        audit.record("staff.updated", "staff", cmd.username().trim(), details);
        return account(id).orElseThrow();
    }

    /** Clears a lock-out after repeated failed logins. */
    @Transactional
    public void unlock(long id) {
        requireStaffAdmin();
        StaffAccount a = account(id).orElseThrow(() -> PatronException.notFound("error.staff.notFound", id));
        jdbc.sql("update staff.account set failed_logins = 0, locked_until = null where id = ?")
                .param(id)
                .update();
        audit.record("staff.unlocked", "staff", a.username(), Map.of());
    }

    private long otherHeadOfficeAdmins(long exceptId) {
        return jdbc.sql("""
                select count(*) from staff.account a join staff.account_role r on r.account_id = a.id
                where r.role = 'ADMIN' and a.enabled and a.all_stores and a.id <> ?""").param(exceptId).query(Long.class).single();
    }

    private void writeRolesAndStores(long id, Set<Role> roles, List<Long> storeIds) {
        for (Role r : roles) {
            jdbc.sql("insert into staff.account_role(account_id, role) values (?, ?)")
                    .params(id, r.name())
                    .update();
        }
        for (Long s : storeIds) {
            jdbc.sql("insert into staff.account_store(account_id, store_id) values (?, ?)")
                    .params(id, s)
                    .update();
        }
    }

    private List<Long> storeIds(boolean allStores, List<String> storeCodes) {
        if (allStores) {
            return List.of();
        }
        if (storeCodes == null || storeCodes.isEmpty()) {
            throw PatronException.invalid("storeCodes", "validation.stores");
        }
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < storeCodes.size(); i++) {
            String code = storeCodes.get(i);
            final int index = i;
            ids.add(organization
                    .storeIdByCode(code)
                    .orElseThrow(() -> PatronException.unknownReference(
                            "storeCodes[" + index + "]", "error.store.notFound", code)));
        }
        return ids.stream().distinct().toList();
    }

    private static Map<String, Object> accountDetails(StaffCommand cmd) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("roles", new TreeSet<>(cmd.roles().stream().map(Enum::name).toList()));
        d.put("allStores", cmd.allStores());
        d.put("stores", cmd.allStores() || cmd.storeCodes() == null ? List.of() : cmd.storeCodes());
        d.put("enabled", cmd.enabled() == null || cmd.enabled());
        return d;
    }

    void checkPassword(String username, String password) {
        if (password.length() < MIN_PASSWORD_LENGTH) {
            throw PatronException.invalid("password", "validation.password.length", MIN_PASSWORD_LENGTH);
        }
        if (password.toLowerCase(Locale.ROOT).contains(username.trim().toLowerCase(Locale.ROOT))) {
            throw PatronException.invalid("password", "validation.password.username");
        }
    }

    private static final String ACCOUNT_SELECT = """
            select a.id, a.username, a.display_name, a.email, a.enabled, a.all_stores, a.locked_until, a.last_login_at,
                   a.created_at, array(select role from staff.account_role r where r.account_id = a.id order by role) as roles,
                   array(select store_id from staff.account_store s where s.account_id = a.id order by store_id) as stores
            from staff.account a""";

    private StaffAccount mapAccount(ResultSet rs, int n) throws SQLException {
        return new StaffAccount(
                rs.getLong("id"),
                rs.getString("username"),
                rs.getString("display_name"),
                rs.getString("email"),
                rs.getBoolean("enabled"),
                roles((String[]) rs.getArray("roles").getArray()),
                rs.getBoolean("all_stores"),
                Arrays.stream((Long[]) rs.getArray("stores").getArray())
                        .map(String::valueOf)
                        .toList(),
                instant(rs.getTimestamp("locked_until")),
                instant(rs.getTimestamp("last_login_at")),
                instant(rs.getTimestamp("created_at")));
    }

    /** Replaces store ids (as read) by store codes. */
    private List<StaffAccount> withStoreCodes(List<StaffAccount> accounts) {
        Set<Long> ids = accounts.stream()
                .flatMap(a -> a.storeCodes().stream())
                .map(Long::valueOf)
                .collect(Collectors.toSet());
        Map<Long, String> codes = organization.storeCodes(ids);
        return accounts.stream()
                .map(a -> new StaffAccount(
                        a.id(),
                        a.username(),
                        a.displayName(),
                        a.email(),
                        a.enabled(),
                        a.roles(),
                        a.allStores(),
                        a.storeCodes().stream()
                                .map(s -> codes.getOrDefault(Long.valueOf(s), "#" + s))
                                .sorted()
                                .toList(),
                        a.lockedUntil(),
                        a.lastLoginAt(),
                        a.createdAt()))
                .toList();
    }

    // ---------------------------------------------------------------- login

    /** The principal for a console login, or empty; locked while {@code locked_until} is in the future. */
    @Transactional(readOnly = true)
    public Optional<StaffPrincipal> principalForLogin(String username) {
        return jdbc.sql("""
                select a.id, a.username, a.display_name, a.password_hash, a.enabled, a.all_stores,
                       coalesce(a.locked_until > now(), false) as locked,
                       array(select role from staff.account_role r where r.account_id = a.id) as roles,
                       array(select store_id from staff.account_store s where s.account_id = a.id) as stores
                from staff.account a where lower(a.username) = lower(?)""")
                .param(username == null ? "" : username.trim())
                .query((rs, n) -> new StaffPrincipal(
                        rs.getLong("id"),
                        rs.getString("username"),
                        rs.getString("display_name"),
                        StaffPrincipal.Kind.STAFF,
                        roles((String[]) rs.getArray("roles").getArray()),
                        scope(rs.getBoolean("all_stores"), (Long[])
                                rs.getArray("stores").getArray()),
                        rs.getString("password_hash"),
                        rs.getBoolean("enabled"),
                        rs.getBoolean("locked")))
                .optional();
    }

    /** Counts a failed login; the account locks after the configured number in a row. */
    @Transactional
    public void loginFailed(String username) {
        Optional<Long> id = jdbc.sql("""
                update staff.account set failed_logins = failed_logins + 1,
                       locked_until = case when failed_logins + 1 >= ? then now() + make_interval(secs => ?) else locked_until end
                where lower(username) = lower(?) returning id""")
                .params(
                        settings.maxFailedLogins(),
                        settings.lockDuration().toSeconds(),
                        username == null ? "" : username.trim())
                .query(Long.class)
                .optional();
        id.ifPresent(i -> {
            boolean lockedNow = jdbc.sql("select failed_logins = ? from staff.account where id = ?")
                    .params(settings.maxFailedLogins(), i)
                    .query(Boolean.class)
                    .single();
            if (lockedNow) {
                audit.recordAs(
                        StaffPrincipal.SYSTEM,
                        "staff.locked",
                        "staff",
                        username.trim(),
                        Map.of("failedLogins", settings.maxFailedLogins()));
            }
        });
    }

    @Transactional
    public void loginSucceeded(long accountId) {
        jdbc.sql("update staff.account set failed_logins = 0, locked_until = null, last_login_at = now() where id = ?")
                .param(accountId)
                .update();
    }

    /** Lets a signed-in staff member change their own password. */
    @Transactional
    public void changeOwnPassword(String currentPassword, String newPassword) {
        StaffPrincipal me = CurrentStaff.get();
        StaffPrincipal stored = principalForLogin(me.name())
                .orElseThrow(() -> PatronException.notFound("error.staff.notFound", me.name()));
        if (!passwords.matches(currentPassword == null ? "" : currentPassword, stored.passwordHash())) {
            throw PatronException.invalid("currentPassword", "error.password.wrong");
        }
        checkPassword(me.name(), newPassword == null ? "" : newPassword);
        jdbc.sql("update staff.account set password_hash = ?, password_changed_at = now() where id = ?")
                .params(passwords.encode(newPassword), stored.id())
                .update();
        audit.record("staff.passwordChanged", "staff", me.name(), Map.of());
    }

    // ---------------------------------------------------------------- API keys

    @Transactional(readOnly = true)
    public List<ApiKeyInfo> apiKeys() {
        requireStaffAdmin();
        List<ApiKeyInfo> keys = jdbc.sql("""
                select id, name, prefix, roles, all_stores, store_ids, created_by, created_at, last_used_at, revoked_at
                from staff.api_key order by revoked_at is not null, created_at desc""").query(this::apiKey).list();
        Set<Long> ids = keys.stream()
                .flatMap(k -> k.storeCodes().stream())
                .map(Long::valueOf)
                .collect(Collectors.toSet());
        Map<Long, String> codes = organization.storeCodes(ids);
        return keys.stream()
                .map(k -> new ApiKeyInfo(
                        k.id(),
                        k.name(),
                        k.prefix(),
                        k.roles(),
                        k.allStores(),
                        k.storeCodes().stream()
                                .map(s -> codes.getOrDefault(Long.valueOf(s), "#" + s))
                                .sorted()
                                .toList(),
                        k.createdBy(),
                        k.createdAt(),
                        k.lastUsedAt(),
                        k.revokedAt()))
                .toList();
    }

    @Transactional
    public CreatedApiKey createApiKey(ApiKeyCommand cmd) {
        requireStaffAdmin();
        return insertApiKey(cmd, newSecret(), CurrentStaff.get());
    }

    /**
     * Creates the admin key named by {@code PATRON_BOOTSTRAP_API_KEY} unless a key with that value
     * exists; a bootstrap key of an earlier, different value is revoked (the variable was rotated).
     */
    @Transactional
    public boolean bootstrapApiKey(String secret) {
        if (secret.length() < 20) {
            throw new IllegalArgumentException("PATRON_BOOTSTRAP_API_KEY must be at least 20 characters long");
        }
        boolean exists = jdbc.sql("select exists (select 1 from staff.api_key where key_hash = ?)")
                .param(hash(secret))
                .query(Boolean.class)
                .single();
        if (exists) {
            return false;
        }
        // a different value than at the last start: the variable was rotated, so the old bootstrap
        // key stops working (revoked, audited) and the new one takes its name
        jdbc.sql("""
                select id from staff.api_key where lower(name) = 'bootstrap' and revoked_at is null""").query(Long.class).optional().ifPresent(old -> {
            jdbc.sql("update staff.api_key set revoked_at = now(), revoked_by = ? where id = ?")
                    .params(StaffPrincipal.SYSTEM.auditName(), old)
                    .update();
            forgetVerifiedKey(old);
            audit.recordAs(
                    StaffPrincipal.SYSTEM,
                    "apiKey.revoked",
                    "apiKey",
                    old,
                    Map.of("name", "bootstrap", "reason", "PATRON_BOOTSTRAP_API_KEY changed"));
        });
        insertApiKey(
                new ApiKeyCommand("bootstrap", EnumSet.of(Role.ADMIN), true, List.of()), secret, StaffPrincipal.SYSTEM);
        return true;
    }

    private CreatedApiKey insertApiKey(ApiKeyCommand cmd, String secret, StaffPrincipal by) {
        List<Long> storeIds = storeIds(cmd.allStores(), cmd.storeCodes());
        long id;
        try {
            id = jdbc.sql("""
                    insert into staff.api_key(name, prefix, key_hash, roles, all_stores, store_ids, created_by)
                    values (?, ?, ?, ?, ?, ?, ?) returning id""")
                    .params(
                            cmd.name().trim(),
                            secret.substring(0, 8),
                            hash(secret),
                            cmd.roles().stream().map(Enum::name).sorted().toArray(String[]::new),
                            cmd.allStores(),
                            storeIds.toArray(Long[]::new),
                            by.auditName())
                    .query(Long.class)
                    .single();
        } catch (DuplicateKeyException e) {
            throw PatronException.conflict("name", "error.apiKey.duplicate", cmd.name());
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", cmd.name().trim());
        details.put("roles", new TreeSet<>(cmd.roles().stream().map(Enum::name).toList()));
        details.put("allStores", cmd.allStores());
        audit.recordAs(by, "apiKey.created", "apiKey", id, details);
        ApiKeyInfo info = apiKeys(id).orElseThrow();
        return new CreatedApiKey(info, secret);
    }

    private Optional<ApiKeyInfo> apiKeys(long id) {
        return jdbc.sql("""
                select id, name, prefix, roles, all_stores, store_ids, created_by, created_at, last_used_at, revoked_at
                from staff.api_key where id = ?""").param(id).query(this::apiKey).optional();
    }

    @Transactional
    public void revokeApiKey(long id) {
        requireStaffAdmin();
        ApiKeyInfo key = apiKeys(id).orElseThrow(() -> PatronException.notFound("error.apiKey.notFound", id));
        if (!key.active()) {
            forgetVerifiedKey(id); // revoked elsewhere (another instance): stop it here at once too
            return;
        }
        jdbc.sql("update staff.api_key set revoked_at = now(), revoked_by = ? where id = ? and revoked_at is null")
                .params(CurrentStaff.get().auditName(), id)
                .update();
        forgetVerifiedKey(id);
        audit.record("apiKey.revoked", "apiKey", id, Map.of("name", key.name()));
    }

    /** A verified key in memory: its principal until {@code expiresAt} (System.nanoTime). */
    private record VerifiedKey(long id, StaffPrincipal principal, long expiresAt) {}

    /** Verified API keys by hash (only valid keys; at most one entry per key). */
    private final java.util.concurrent.ConcurrentHashMap<String, VerifiedKey> verifiedKeys =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Counts revocations on this instance, so that a key read just before one is not cached after it. */
    private long revocations;

    /**
     * The principal for a presented key, if it is valid and not revoked. A verified key is kept in
     * memory for {@code patron.security.api-key-cache} (10 s), so that an integration sending
     * hundreds of requests a second does not cost a database round trip each; revoking a key
     * removes it at once (after the revocation commits).
     */
    public Optional<StaffPrincipal> authenticateApiKey(String secret) {
        if (secret == null || secret.length() < 20 || secret.length() > 200) {
            return Optional.empty();
        }
        String hash = hash(secret);
        VerifiedKey cached = verifiedKeys.get(hash);
        if (cached != null && cached.expiresAt() - System.nanoTime() > 0) {
            return Optional.of(cached.principal());
        }
        long ttl = settings.apiKeyCache().toNanos();
        long revocationsBefore;
        synchronized (verifiedKeys) {
            revocationsBefore = revocations;
        }
        Optional<VerifiedKey> verified = jdbc.sql("""
                select id, name, roles, all_stores, store_ids, last_used_at from staff.api_key
                where key_hash = ? and revoked_at is null""")
                .param(hash)
                .query((rs, n) -> {
                    Timestamp lastUsed = rs.getTimestamp("last_used_at");
                    long id = rs.getLong("id");
                    boolean stale = lastUsed == null
                            || lastUsed.toInstant().isBefore(Instant.now().minus(Duration.ofMinutes(1)));
                    return new VerifiedKey(
                            id,
                            new StaffPrincipal(
                                    id,
                                    "apikey:" + rs.getString("name"),
                                    rs.getString("name"),
                                    StaffPrincipal.Kind.API_KEY,
                                    roles((String[]) rs.getArray("roles").getArray()),
                                    scope(rs.getBoolean("all_stores"), (Long[])
                                            rs.getArray("store_ids").getArray()),
                                    null,
                                    true,
                                    false),
                            stale ? 0 : 1);
                })
                .optional();
        if (verified.isEmpty()) {
            verifiedKeys.remove(hash);
            return Optional.empty();
        }
        VerifiedKey key = verified.get();
        if (key.expiresAt() == 0) {
            markUsed(key.id());
        }
        if (ttl > 0) {
            synchronized (verifiedKeys) {
                if (revocations == revocationsBefore) {
                    verifiedKeys.put(hash, new VerifiedKey(key.id(), key.principal(), System.nanoTime() + ttl));
                }
            }
        }
        return Optional.of(key.principal());
    }

    /** Forgets the verified key {@code id} now and again once the current transaction commits. */
    private void forgetVerifiedKey(long id) {
        forget(id);
        if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
            org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                    new org.springframework.transaction.support.TransactionSynchronization() {
                        @Override
                        public void afterCompletion(int status) {
                            forget(id);
                        }
                    });
        }
    }

    private void forget(long id) {
        synchronized (verifiedKeys) {
            revocations++;
            verifiedKeys.values().removeIf(k -> k.id() == id);
        }
    }

    private void markUsed(long id) {
        jdbc.sql("update staff.api_key set last_used_at = now() where id = ?")
                .param(id)
                .update();
    }

    private ApiKeyInfo apiKey(ResultSet rs, int n) throws SQLException {
        return new ApiKeyInfo(
                rs.getLong("id"),
                rs.getString("name"),
                rs.getString("prefix"),
                roles((String[]) rs.getArray("roles").getArray()),
                rs.getBoolean("all_stores"),
                Arrays.stream((Long[]) rs.getArray("store_ids").getArray())
                        .map(String::valueOf)
                        .toList(),
                rs.getString("created_by"),
                instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("last_used_at")),
                instant(rs.getTimestamp("revoked_at")));
    }

    // ---------------------------------------------------------------- bootstrap

    /**
     * On an empty staff table, creates {@code admin} with {@code password}; safe when several
     * instances start at once (only one insert wins). Returns true when this call created it.
     */
    @Transactional
    public boolean bootstrapAdmin(String password) {
        boolean empty = jdbc.sql("select not exists (select 1 from staff.account)")
                .query(Boolean.class)
                .single();
        if (!empty) {
            return false;
        }
        jdbc.sql("lock table staff.account in exclusive mode").update();
        if (jdbc.sql("select exists (select 1 from staff.account)")
                .query(Boolean.class)
                .single()) {
            return false;
        }
        long id = jdbc.sql(
                        "insert into staff.account(username, display_name, password_hash, all_stores) values ('admin', 'Administrator', ?, true) returning id")
                .param(passwords.encode(password))
                .query(Long.class)
                .single();
        jdbc.sql("insert into staff.account_role(account_id, role) values (?, 'ADMIN')")
                .param(id)
                .update();
        audit.recordAs(
                StaffPrincipal.SYSTEM,
                "staff.created",
                "staff",
                "admin",
                Map.of("roles", List.of("ADMIN"), "bootstrap", true));
        return true;
    }

    // ---------------------------------------------------------------- helpers

    private static void requireStaffAdmin() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
    }

    static String newSecret() {
        return "ptk_" + randomString(40);
    }

    static String randomString(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    /** API keys carry 230+ bits of randomness, so a fast hash suffices (no salt or stretching needed). */
    static String hash(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<Role> roles(String[] names) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String n : names) {
            roles.add(Role.valueOf(n));
        }
        return roles;
    }

    private static StoreScope scope(boolean all, Long[] ids) {
        return all ? StoreScope.ALL : StoreScope.of(Arrays.asList(ids));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    // ---------------------------------------------------------------- console

    /**
     * Enabled accounts within the caller's store scope, for the home page: every account for
     * head office, otherwise the accounts assigned to at least one of the caller's stores.
     */
    @Transactional(readOnly = true)
    public long countAccountsInScope() {
        Long[] ids = CurrentStaff.scope().filterOrNull();
        if (ids == null) {
            return countAccounts();
        }
        return jdbc.sql("""
                select count(distinct a.id) from staff.account a join staff.account_store s on s.account_id = a.id
                where a.enabled and s.store_id = any(?)""").param(ids).query(Long.class).single();
    }

    // ---------------------------------------------------------------- references (members module)

    /** Of {@code ids}, those that are existing staff accounts (no role check: used to validate references such as a member's 导购). */
    @Transactional(readOnly = true)
    public Set<Long> existingAccountIds(java.util.Collection<Long> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return new java.util.LinkedHashSet<>(jdbc.sql("select id from staff.account where id = any(?) order by id")
                .param(ids.toArray(Long[]::new))
                .query(Long.class)
                .list());
    }
}
