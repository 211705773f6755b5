/* test_keyset.c — the bounded key set: membership, deletion, growth, forgetting at the cap. */
#include <criterion/criterion.h>

#include "proftui/keyset.h"

/* Well-mixed keys >= 2, as the set expects. */
static uint64_t key(uint64_t i)
{
	uint64_t x = i + 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x < 2 ? x + 2 : x;
}

Test(keyset, add_has_del)
{
	struct keyset s = { 0 };

	cr_expect_not(keyset_has(&s, key(1)));
	keyset_del(&s, key(1));   /* on an empty set: nothing */
	cr_assert_eq(keyset_add(&s, key(1)), 0);
	cr_assert_eq(keyset_add(&s, key(1)), 0);
	cr_expect_eq(s.used, 1);
	cr_expect(keyset_has(&s, key(1)));
	cr_expect_not(keyset_has(&s, key(2)));
	keyset_del(&s, key(2));
	cr_expect_eq(s.used, 1);
	keyset_del(&s, key(1));
	cr_expect_not(keyset_has(&s, key(1)));
	cr_expect_eq(s.used, 0);
	cr_expect_eq(s.tomb, 1);
	/* The tombstone is reused. */
	cr_assert_eq(keyset_add(&s, key(1)), 0);
	cr_expect(keyset_has(&s, key(1)));
	keyset_release(&s);
	cr_expect_null(s.slot);
	cr_expect_not(keyset_has(&s, key(1)));
	keyset_release(&s);
}

Test(keyset, grows_and_keeps_everything)
{
	struct keyset s = { 0 };

	for (uint64_t i = 0; i < 50000; i++)
		cr_assert_eq(keyset_add(&s, key(i)), 0);
	cr_expect_eq(s.used, 50000);
	cr_expect_leq(s.used * 10, (s.mask + 1) * 7, "kept under 70%% full");
	for (uint64_t i = 0; i < 50000; i += 2)
		keyset_del(&s, key(i));
	for (uint64_t i = 0; i < 50000; i++)
		cr_assert_eq(keyset_has(&s, key(i)), i % 2 == 1, "key %llu", (unsigned long long)i);
	/* Churn through tombstones: the table does not fill up with them. */
	for (uint64_t i = 50000; i < 150000; i++) {
		cr_assert_eq(keyset_add(&s, key(i)), 0);
		keyset_del(&s, key(i));
	}
	cr_expect_eq(s.used, 25000);
	cr_expect_lt(s.used + s.tomb, s.mask + 1);
	cr_expect(keyset_has(&s, key(49999)));
	keyset_release(&s);
}

Test(keyset, forgets_everything_past_the_cap)
{
	struct keyset s = { 0 };

	for (uint64_t i = 0; i < KEYSET_MAX; i++)
		cr_assert_eq(keyset_add(&s, key(i)), 0);
	cr_expect_eq(s.used, KEYSET_MAX);
	cr_expect(keyset_has(&s, key(0)));
	cr_assert_eq(keyset_add(&s, key(KEYSET_MAX)), 0);
	cr_expect_eq(s.used, 1);
	cr_expect(keyset_has(&s, key(KEYSET_MAX)));
	cr_expect_not(keyset_has(&s, key(0)));
	keyset_release(&s);
}
