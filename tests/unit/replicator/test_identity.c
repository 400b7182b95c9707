/* SPDX-License-Identifier: MIT */
/* test_identity.c -- what a peer's word on our origin proves about this store's numbering */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "replicator/repl_identity.h"

/* A store that holds its origin up to 65567, confirmed up to 65561, asking after start;
 * the peer holds us up to 65562 and its newest entry of ours is that one. */
static repl_identity_facts_t restored(void)
{
	repl_identity_facts_t f = {
	    .head = 65562,
	    .has_you = true,
	    .you_seq = 65562,
	    .you_hlc = 1000,
	    .held = 65567,
	    .confirmed = 65561,
	    .mine_hlc = 1000,
	    .checked = false,
	};
	return f;
}

static void same_hlc_confirms(void **state)
{
	(void)state;
	repl_identity_facts_t f = restored();
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_CONFIRM);
	f.checked = true;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_CONFIRM);
}

static void other_hlc_collides(void **state)
{
	(void)state;
	repl_identity_facts_t f = restored();
	f.mine_hlc = 2000;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_COLLIDE);
	f.checked = true;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_COLLIDE);
}

/* The bug of issue 10: the peer took our drain through a snapshot (its log of us starts
 * after its head), so its answer says [65562, 0]; that used to confirm our numbering and
 * our next event shared (a, 65562) with the peer's drain. */
static void peer_without_the_entry_collides_before_serving(void **state)
{
	(void)state;
	repl_identity_facts_t f = restored();
	f.you_hlc = 0;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_COLLIDE);
	f = restored();
	f.has_you = false;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_COLLIDE);
	f = restored();
	f.you_seq = 65561; /* not its head: not the entry in question */
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_COLLIDE);
	f = restored();
	f.mine_hlc = 0; /* we cannot show ours either */
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_COLLIDE);
}

/* A peer judged once (we moved our entries past what it held, or confirmed them) is not
 * judged a collision again for the same word: that would move our entries twice. */
static void vetted_peer_without_the_entry_confirms(void **state)
{
	(void)state;
	repl_identity_facts_t f = restored();
	f.held = 131078; /* after the move */
	f.mine_hlc = 0;	 /* we hold nothing at 65562 any more */
	f.vetted = true;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_CONFIRM);
}

/* Once our entries are served, a peer that answered before holds of ours beyond that only
 * what we served it since (through a snapshot, when it cannot show the entry): that
 * confirms. A peer first heard after that (it was down) proves nothing either way. */
static void peer_without_the_entry_once_serving(void **state)
{
	(void)state;
	repl_identity_facts_t f = restored();
	f.you_hlc = 0;
	f.checked = true;
	f.vetted = true;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_CONFIRM);
	f.vetted = false;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_NOTHING);
	f.you_hlc = 1000; /* but an entry it shows with our hlc proves it */
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_CONFIRM);
}

static void peer_ahead_collides(void **state)
{
	(void)state;
	repl_identity_facts_t f = restored();
	f.head = f.you_seq = 70000;
	f.mine_hlc = 0;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_COLLIDE);
	f.checked = true;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_COLLIDE);
}

static void already_confirmed_is_nothing(void **state)
{
	(void)state;
	repl_identity_facts_t f = restored();
	f.confirmed = 65562;
	f.you_hlc = 0;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_NOTHING);
	f.head = f.you_seq = 10;
	f.you_hlc = 5;
	assert_int_equal(repl_identity_judge(&f), REPL_IDENTITY_NOTHING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(same_hlc_confirms),
	    cmocka_unit_test(other_hlc_collides),
	    cmocka_unit_test(peer_without_the_entry_collides_before_serving),
	    cmocka_unit_test(vetted_peer_without_the_entry_confirms),
	    cmocka_unit_test(peer_without_the_entry_once_serving),
	    cmocka_unit_test(peer_ahead_collides),
	    cmocka_unit_test(already_confirmed_is_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
