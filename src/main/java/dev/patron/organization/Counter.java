package dev.patron.organization;

import java.util.List;

/** A concession counter (专柜): located in a store, operated by a supplier, selling some brands. */
public record Counter(
        long id,
        String code,
        String name,
        long storeId,
        String storeCode,
        String storeName,
        String supplierName,
        String supplierCode,
        String floor,
        String status,
        List<String> brandCodes) {}
