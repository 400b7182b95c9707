/* SPDX-License-Identifier: MIT */
/* test_conf_errors.c -- syntax, type, range, unknown and duplicate key errors, exact messages */
/* Messages read FILE:LINE:COL: path: message. */
#include "config.h"
#include "tests/unit/conf/conf_test.h"

static const conf_error_case_t cases[] = {
    {"missing_region_and_state", "log_level: info\n",
     "meridian.yaml:1:1: region: required key is missing\n"
     "meridian.yaml:1:1: state: required key is missing"},
    {"unknown_top_level_key",
     "region: r\n"
     "state: s.db\n"
     "regoin: x\n",
     "meridian.yaml:3:1: unknown key \"regoin\" (did you mean \"region\"?)"},
    {"unknown_key_lists_expected_keys",
     "region: r\n"
     "state: s.db\n"
     "health:\n"
     "  zzz: 1\n",
     "meridian.yaml:4:3: health: unknown key \"zzz\" (expected one of: quorum, stale_after, "
     "override_default, poll, isolated, hold, flap_damping, flap_penalty, flap_suppress, flap_reuse, "
     "flap_half_life, flap_max_hold)"},
    {"unknown_key_in_datacenter",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  us-east:\n"
     "    addresses: 192.0.2.1\n"
     "    chekc: { type: tcp }\n",
     "meridian.yaml:6:5: datacenters.us-east: unknown key \"chekc\" (did you mean \"check\"?)"},
    {"latitude_out_of_range",
     "region: r\n"
     "state: s.db\n"
     "\n"
     "\n"
     "\n"
     "\n"
     "\n"
     "\n"
     "\n"
     "\n"
     "datacenters:\n"
     "  us-east:\n"
     "    location:\n"
     "    - 95\n"
     "    - -77.4\n"
     "    addresses: 192.0.2.1\n",
     "meridian.yaml:14:7: datacenters.us-east.location: latitude 95 is out of range -90..90"},
    {"longitude_out_of_range",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  x:\n"
     "    location: [10, 180.5]\n"
     "    addresses: 192.0.2.1\n",
     "meridian.yaml:5:20: datacenters.x.location: longitude 180.5 is out of range -180..180"},
    {"location_not_a_pair",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  x:\n"
     "    location: [10]\n"
     "    addresses: 192.0.2.1\n",
     "meridian.yaml:5:15: datacenters.x.location: expected [latitude, longitude], got a list of "
     "another length"},
    {"location_not_a_number",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  x:\n"
     "    location: [north, 1]\n"
     "    addresses: 192.0.2.1\n",
     "meridian.yaml:5:16: datacenters.x.location: latitude \"north\" is not a number"},
    {"section_of_wrong_type",
     "region: r\n"
     "state: s.db\n"
     "dns: 5\n",
     "meridian.yaml:3:6: dns: expected a mapping, got a single value"},
    {"string_given_a_list",
     "region: r\n"
     "state: s.db\n"
     "dns:\n"
     "  nsid: [a, b]\n",
     "meridian.yaml:4:9: dns.nsid: expected a string, got a list"},
    {"empty_value",
     "region: r\n"
     "state: s.db\n"
     "geoip:\n",
     "meridian.yaml:3:7: geoip: expected a path, got nothing"},
    {"uint_not_a_number",
     "region: r\n"
     "state: s.db\n"
     "dns:\n"
     "  udp_payload: big\n",
     "meridian.yaml:4:16: dns.udp_payload: expected an unsigned integer, got \"big\""},
    {"uint_out_of_range",
     "region: r\n"
     "state: s.db\n"
     "dns:\n"
     "  udp_payload: 100\n",
     "meridian.yaml:4:16: dns.udp_payload: udp_payload 100 is out of range 512..4096"},
    {"negative_uint",
     "region: r\n"
     "state: s.db\n"
     "dns:\n"
     "  threads: -1\n",
     "meridian.yaml:4:12: dns.threads: expected an unsigned integer, got \"-1\""},
    {"duration_without_unit",
     "region: r\n"
     "state: s.db\n"
     "health:\n"
     "  stale_after: 30\n",
     "meridian.yaml:4:16: health.stale_after: invalid duration \"30\" (expected a number with a "
     "unit: ms, s, m, h or d)"},
    {"duration_bad_unit",
     "region: r\n"
     "state: s.db\n"
     "health:\n"
     "  stale_after: 30sec\n",
     "meridian.yaml:4:16: health.stale_after: invalid duration \"30sec\" (expected a number with a "
     "unit: ms, s, m, h or d)"},
    {"clock_skew_beyond_stale_after",
     "region: r\n"
     "state: s.db\n"
     "health:\n"
     "  stale_after: 10s\n"
     "replication:\n"
     "  key_file: k\n"
     "  peers: { b: \"http://127.0.0.1:1\" }\n"
     "  max_clock_skew: 15s\n",
     "meridian.yaml:8:19: replication.max_clock_skew: 15s is longer than health.stale_after "
     "(10s): the verdict would count votes up to stale_after + max_clock_skew old; lower it or "
     "raise stale_after"},
    {"clock_skew_default_beyond_stale_after",
     "region: r\n"
     "state: s.db\n"
     "health:\n"
     "  stale_after: 10s\n"
     "replication:\n"
     "  key_file: k\n"
     "  peers: { b: \"http://127.0.0.1:1\" }\n",
     "meridian.yaml:6:3: replication.max_clock_skew: 30s is longer than health.stale_after "
     "(10s): the verdict would count votes up to stale_after + max_clock_skew old; lower it or "
     "raise stale_after"},
    {"flap_reuse_not_below_suppress",
     "region: r\n"
     "state: s.db\n"
     "health:\n"
     "  flap_suppress: 800\n"
     "  flap_reuse: 800\n",
     "meridian.yaml:4:3: health.flap_reuse: flap_reuse 800 must be below flap_suppress 800"},
    {"isolated_unknown_rule",
     "region: r\n"
     "state: s.db\n"
     "health:\n"
     "  isolated: vote\n",
     "meridian.yaml:4:13: health.isolated: invalid value \"vote\" (expected one of: hold alone)"},
    {"duration_out_of_range",
     "region: r\n"
     "state: s.db\n"
     "health:\n"
     "  poll: 11s\n",
     "meridian.yaml:4:9: health.poll: poll 11s is out of range 1ms..10s"},
    {"listen_address_invalid",
     "region: r\n"
     "state: s.db\n"
     "dns:\n"
     "  listen: [\"127.0.0.1:99999\", localhost, \"[::1]:53\"]\n",
     "meridian.yaml:4:12: dns.listen: invalid address \"127.0.0.1:99999\" (expected IP, IP:PORT or "
     "[IPv6]:PORT)\n"
     "meridian.yaml:4:31: dns.listen: invalid address \"localhost\" (expected IP, IP:PORT or "
     "[IPv6]:PORT)"},
    {"listen_list_empty",
     "region: r\n"
     "state: s.db\n"
     "dns:\n"
     "  listen: []\n",
     "meridian.yaml:4:11: dns.listen: needs at least 1 entry"},
    {"replication_listen_needs_port",
     "region: r\n"
     "state: s.db\n"
     "replication:\n"
     "  listen: 127.0.0.1\n"
     "  key_file: k\n",
     "meridian.yaml:4:11: replication.listen: invalid address \"127.0.0.1\" (expected IP:PORT or "
     "[IPv6]:PORT)"},
    {"datacenter_address_invalid",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  x:\n"
     "    addresses: [192.0.2.1, 192.0.2.300]\n",
     "meridian.yaml:5:28: datacenters.x.addresses: invalid IP address \"192.0.2.300\""},
    {"datacenter_addresses_missing",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  x:\n"
     "    location: [1, 2]\n",
     "meridian.yaml:5:5: datacenters.x.addresses: required key is missing"},
    {"datacenter_name_invalid",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  US_East:\n"
     "    addresses: 192.0.2.1\n",
     "meridian.yaml:4:3: datacenters.US_East: invalid name \"US_East\" (use at most 63 of a-z, "
     "0-9, '-' and '_')"},
    {"region_and_peer_names_invalid",
     "region: US East\n"
     "state: s\n"
     "replication:\n"
     "  key_file: k\n"
     "  peers: { Peer.1: \"http://127.0.0.1:1\" }\n",
     "meridian.yaml:1:9: region: invalid name \"US East\" (use at most 63 of a-z, 0-9, '-' and "
     "'_')\n"
     "meridian.yaml:5:12: replication.peers.\"Peer.1\": invalid name \"Peer.1\" (use at most 63 of "
     "a-z, 0-9, '-' and '_')"},
    {"datacenters_not_a_mapping",
     "region: r\n"
     "state: s.db\n"
     "datacenters: [a, b]\n",
     "meridian.yaml:3:14: datacenters: expected a mapping, got a list"},
    {"duplicate_key",
     "region: r\n"
     "state: s.db\n"
     "dns:\n"
     "  nsid: a\n"
     "  nsid: b\n",
     "meridian.yaml:5:3: dns.nsid: duplicate key (first at line 4)"},
    {"duplicate_datacenter",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  a: { addresses: 192.0.2.2 }\n",
     "meridian.yaml:5:3: datacenters.a: duplicate key (first at line 4)"},
    {"yaml_syntax_error",
     "region: r\n"
     "state: s.db\n"
     "dns: { nsid: a\n",
     "meridian.yaml:4:1: syntax error: did not find expected ',' or '}' while parsing a flow "
     "mapping"},
    {"yaml_bad_indentation",
     "region: r\n"
     " state: s\n",
     "meridian.yaml:2:7: syntax error: mapping values are not allowed in this context"},
    {"yaml_alias",
     "region: r\n"
     "state: s.db\n"
     "dns: &d { nsid: a }\n"
     "health: *d\n",
     "meridian.yaml:4:9: YAML aliases (*name) are not supported"},
    {"two_documents",
     "region: r\n"
     "state: s.db\n"
     "---\n"
     "region: x\n",
     "meridian.yaml:4:1: only one YAML document is allowed"},
    {"top_level_not_a_mapping", "- region\n",
     "meridian.yaml:1:1: the file must hold a mapping of keys (region:, state:, ...), not a list"},
    {"bool_invalid",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1, check: { type: https, url: \"https://127.0.0.1/\", verify_tls: "
     "maybe } }\n"
     "  b: { addresses: 192.0.2.2 }\n",
     "meridian.yaml:4:91: datacenters.a.check.verify_tls: expected true or false, got \"maybe\""},
    {"log_level_invalid",
     "region: r\n"
     "state: s.db\n"
     "log_level: verbose\n",
     "meridian.yaml:3:12: log_level: invalid value \"verbose\" (expected one of: error warn info "
     "debug)"},
};

static struct CMUnitTest tests[M_ARRAY_LEN(cases)];

const struct CMUnitTest *conf_values_error_tests(size_t *count)
{
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++)
		tests[i] = (struct CMUnitTest){.name = cases[i].name,
					       .test_func = conf_test_error_case,
					       .initial_state = (void *)&cases[i]};
	*count = M_ARRAY_LEN(cases);
	return tests;
}
