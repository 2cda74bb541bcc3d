//! The C allocator's handling of large blocks (glibc only).

/// Blocks this large or larger are mapped from the operating system and unmapped when freed.
const MMAP_THRESHOLD: i32 = 1 << 20;

/// Makes large allocations go back to the operating system when freed.
///
/// glibc serves a large allocation with its own memory mapping, but the first time such a
/// block is freed it raises its threshold to that block's size (up to 32 MiB), so later blocks
/// of that size come from the heap arenas and stay resident after they are freed. Argon2 needs
/// 19 MiB per password check: a burst of logins would otherwise leave hundreds of megabytes
/// resident for good. A fixed threshold turns that adjustment off.
pub fn return_large_allocations() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only changes glibc's allocator parameters; M_MMAP_THRESHOLD with a value
    // below the 32 MiB maximum is valid at any time, also with other threads allocating.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
