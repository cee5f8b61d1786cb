package io.tierflow.tenancy.web;

import java.util.List;

/** One page of a listing, as every Tierflow API returns it. */
public record Page<T>(List<T> items, int page, int size) {
}
