/* SPDX-License-Identifier: MIT */
/* compiler.h -- attribute macros that let the compiler check our contracts */
#ifndef MERIDIAN_COMPILER_H
#define MERIDIAN_COMPILER_H

/* Arguments that must never be NULL. */
#define M_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define M_NONNULL_ALL __attribute__((nonnull))
/* The caller must look at the result: errors are return values. */
#define M_WUR __attribute__((warn_unused_result))
/* Result depends only on arguments and memory they point to. */
#define M_PURE __attribute__((pure))
/* Result depends only on the argument values. */
#define M_CONST __attribute__((const))
/* printf-style checking: fmt is argument F, varargs start at V. */
#define M_PRINTF(F, V) __attribute__((format(printf, F, V)))
#define M_MALLOC __attribute__((malloc))
#define M_UNUSED __attribute__((unused))
#define M_NORETURN __attribute__((noreturn))
/* Hot-path helpers that must be inlined into their caller, e.g. into each target clone
 * of a function built for several instruction sets (an out-of-line copy would be built
 * for the baseline only). */
#define M_ALWAYS_INLINE inline __attribute__((always_inline))
/* Branch hints; the query path only. */
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define M_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* M_ASSERT(cond): an invariant a header contract states, checked where the code relies
 * on it. Active in debug builds (./configure --enable-debug) and sanitizer builds
 * (qa/sanitize.sh: -fsanitize=address), where a false condition logs file:line and the
 * expression, then aborts; compiled out otherwise, the condition type-checked but never
 * evaluated (so it must have no side effects). */
#if defined(MERIDIAN_DEBUG) || defined(__SANITIZE_ADDRESS__)
#define M_ASSERTS_ON 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define M_ASSERTS_ON 1
#endif
#endif
#ifdef M_ASSERTS_ON
#define M_ASSERT(cond) ((cond) ? (void)0 : m_assert_fail(#cond, __FILE__, __LINE__))
#else
#define M_ASSERT(cond) ((void)sizeof(!(cond)))
#endif
/* Logs "assertion failed: EXPR (FILE:LINE)" at error level and aborts (base/log.c). */
void m_assert_fail(const char *expr, const char *file, int line) M_NORETURN;

#endif
