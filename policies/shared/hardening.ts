import { field, type Standard, type Value } from '@palisade/core';

/** Shared pieces of the NSA/CISA and CIS hardening policies. */

export const NSA_CISA_URL =
  'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF';
export const CIS_URL = 'https://www.cisecurity.org/benchmark/kubernetes';

/** A section of the NSA/CISA Kubernetes Hardening Guide (v1.2, August 2022). */
export const nsaCisaStandard = (control: string): Standard => ({
  name: 'NSA/CISA Kubernetes Hardening Guide',
  control,
  url: NSA_CISA_URL,
});

/** A recommendation of the CIS Kubernetes Benchmark. */
export const cisStandard = (control: string): Standard => ({
  name: 'CIS Kubernetes Benchmark',
  control,
  url: CIS_URL,
});

/**
 * The image of the container bound to `variable`. A missing image reads as "" (so messages print `image ""`):
 * Pods must set one, but pod templates may leave it to config management, and no image check passes on "".
 */
export const containerImage = (variable: string): Value => field(variable, 'image', '');

/*
 * Image references (github.com/distribution/reference):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path      domain := host [ ":" port ]
 *
 * A tag is the text after the last ":" of the last path component, so the ":5000" of `registry:5000/app` is a
 * port, not a tag. The regexes below are anchored, use no lookaround or backreference, and mean the same in RE2
 * (Go, Rego, CEL) and JavaScript: `[^...]` classes instead of `.`, `$` only at the very end of the string.
 */

/** A well-formed digest of any algorithm (distribution/reference `digestPat`). */
const ANY_DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

/** `name[:tag]@<algorithm>:<hex>`: pinned by a well-formed digest of any algorithm (the tag, if any, is ignored). */
export const IMAGE_WITH_DIGEST = `^[^@]+@${ANY_DIGEST}$`;

/** `name@sha256:<64 lowercase hex>` or `name:tag@sha256:<...>`: pinned by a canonical sha256 digest. */
export const IMAGE_WITH_SHA256_DIGEST = '^[^@]+@sha256:[0-9a-f]{64}$';

/**
 * No "@" at all, and a valid tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`) after the last ":". A tag has no "/", so a
 * ":" followed by a "/" (a registry port) is never taken for one; an empty tag (`app:`) is no tag.
 */
export const IMAGE_WITH_TAG = '^[^@]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';

/** No "@" at all, and the tag is exactly `latest` (tags are case-sensitive: `LATEST` is an ordinary tag). */
export const IMAGE_WITH_LATEST_TAG = '^[^@]*:latest$';
