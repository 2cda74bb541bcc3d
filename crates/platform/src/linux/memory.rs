//! Tuning of the C allocator (glibc only): how many arenas it keeps, where large blocks come
//! from, and giving freed memory back to the operating system.

/// Blocks this large or larger are mapped from the operating system and unmapped when freed.
const MMAP_THRESHOLD: i32 = 1 << 20;

/// At most this many malloc arenas.
const ARENA_MAX: i32 = 2;

/// Sets up glibc's allocator for a small, long-running server. Call once at start-up, before
/// other threads exist.
///
/// - **Large blocks go back.** glibc serves a large allocation with its own memory mapping,
///   but the first time such a block is freed it raises its threshold to that block's size (up
///   to 32 MiB), so later blocks of that size come from the heap arenas and stay resident
///   after they are freed. Argon2 needs 19 MiB per password check: a burst of logins would
///   otherwise leave hundreds of megabytes resident for good. A fixed threshold turns that
///   adjustment off.
/// - **Few arenas.** glibc gives each thread that allocates while another holds an arena an
///   arena of its own, up to 8 per core. Tokio's blocking pool grows under load (a scan, a
///   file read, a password check each take a thread), and every arena keeps its own free
///   memory and fragments: after a load at 1,000 processes that was about 1.5 MiB more
///   resident than with two arenas, which Boss's few, short allocations do not contend for.
pub fn tune_allocator() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only changes glibc's allocator parameters. M_MMAP_THRESHOLD with a value
    // below the 32 MiB maximum and M_ARENA_MAX with a positive count are valid at any time,
    // also with other threads allocating (arenas already made stay; no more are made).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_ARENA_MAX, ARENA_MAX);
    }
}

/// Gives the free memory inside the allocator's arenas back to the operating system.
///
/// glibc returns memory by itself only from the top of a heap; a busy period leaves free
/// blocks in the middle, resident until they are reused. `malloc_trim` releases every free
/// page of every arena (`madvise(MADV_DONTNEED)`), which takes well under a millisecond on a
/// heap of Boss's size.
pub fn release_free_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim takes each arena's lock while it walks it, so it is safe to call at
    // any time from any thread; the argument 0 only asks to keep no padding at a heap's top.
    unsafe {
        libc::malloc_trim(0);
    }
}
