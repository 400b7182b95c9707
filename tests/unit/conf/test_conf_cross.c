/* SPDX-License-Identifier: MIT */
/* test_conf_cross.c -- cross-check and health check rule errors, each with its exact message */
/* Messages read FILE:LINE:COL: path: message. */
#include "config.h"
#include "tests/unit/conf/conf_test.h"

static const conf_error_case_t cases[] = {
    {"record_unknown_datacenter",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a, c]\n",
     "meridian.yaml:10:22: records.\"www.example.com\".datacenters: unknown datacenter \"c\" (not "
     "under datacenters)"},
    {"unknown_datacenter_typo_suggests_name",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  eu-west: { addresses: 192.0.2.1 }\n"
     "  us-east: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [eu-wst, us-east]\n",
     "meridian.yaml:10:19: records.\"www.example.com\".datacenters: unknown datacenter \"eu-wst\" "
     "(did you mean \"eu-west\"?)"},
    {"map_unknown_datacenter",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a]\n"
     "    map: { EU: [z] }\n",
     "meridian.yaml:11:17: records.\"www.example.com\".map.EU: unknown datacenter \"z\" (not under "
     "datacenters)"},
    {"nets_unknown_datacenter",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a]\n"
     "    nets: { \"10.0.0.0/8\": [y] }\n",
     "meridian.yaml:11:28: records.\"www.example.com\".nets.\"10.0.0.0/8\": unknown datacenter "
     "\"y\" (not under datacenters)"},
    {"default_order_unknown_datacenter",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "default_order: [b, q]\n",
     "meridian.yaml:6:20: default_order: unknown datacenter \"q\" (not under datacenters)"},
    {"datacenter_listed_twice",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a, b, a]\n",
     "meridian.yaml:10:25: records.\"www.example.com\".datacenters: datacenter \"a\" is listed "
     "twice"},
    {"map_and_default_order_list_a_datacenter_twice",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a]\n"
     "    map: { EU: [b, a, b] }\n"
     "default_order: [a, a]\n",
     "meridian.yaml:11:23: records.\"www.example.com\".map.EU: datacenter \"b\" is listed twice\n"
     "meridian.yaml:12:20: default_order: datacenter \"a\" is listed twice"},
    {"record_outside_zones",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.org:\n"
     "    datacenters: [a]\n",
     "meridian.yaml:9:3: records.\"www.example.org\": www.example.org. is not inside any zone of "
     "dns.zones"},
    {"record_suffix_is_not_zone",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.notexample.com:\n"
     "    datacenters: [a]\n",
     "meridian.yaml:9:3: records.\"www.notexample.com\": www.notexample.com. is not inside any "
     "zone of dns.zones"},
    {"record_duplicate_after_lower_case",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a]\n"
     "  WWW.Example.com.:\n"
     "    datacenters: [b]\n",
     "meridian.yaml:11:3: records.\"WWW.Example.com.\": duplicate record name www.example.com. "
     "(first at line 9)"},
    {"record_name_invalid",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  \"www..example.com\":\n"
     "    datacenters: [a]\n",
     "meridian.yaml:9:3: records.\"www..example.com\": invalid domain name \"www..example.com\": "
     "the name has an empty label"},
    {"record_datacenters_missing",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    ttl: 30\n",
     "meridian.yaml:10:5: records.\"www.example.com\".datacenters: required key is missing"},
    {"record_ttl_out_of_range",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a]\n"
     "    ttl: 86401\n",
     "meridian.yaml:11:10: records.\"www.example.com\".ttl: ttl 86401 is out of range 0..86400"},
    {"geoip_required_with_records",
     "region: r\n"
     "state: s.db\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a]\n",
     "meridian.yaml:7:1: geoip: required when records are configured"},
    {"map_key_bad_continent",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a]\n"
     "    map: { XX: [a], \"EU/Ireland\": [b], \"NA/US/c a\": [a], \"EU/IE/D/x\": [a] }\n",
     "meridian.yaml:11:12: records.\"www.example.com\".map.XX: invalid location \"XX\": the "
     "continent must be one of AF AN AS EU NA OC SA\n"
     "meridian.yaml:11:21: records.\"www.example.com\".map.EU/Ireland: invalid location "
     "\"EU/Ireland\": the country must be an ISO 3166-1 code of two capital letters\n"
     "meridian.yaml:11:40: records.\"www.example.com\".map.\"NA/US/c a\": invalid location "
     "\"NA/US/c a\": the subdivision must be an ISO 3166-2 code (capitals, digits)\n"
     "meridian.yaml:11:58: records.\"www.example.com\".map.EU/IE/D/x: invalid location "
     "\"EU/IE/D/x\": expected CONTINENT[/COUNTRY[/SUBDIVISION]]"},
    {"nets_key_invalid",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a]\n"
     "    nets: { \"10.0.0.1/8\": [a], \"10.0.0.0/33\": [a], \"2001:db8::/129\": [a], "
     "\"10.0.0.0\": [b] }\n",
     "meridian.yaml:11:13: records.\"www.example.com\".nets.\"10.0.0.1/8\": invalid network "
     "\"10.0.0.1/8\" (expected a CIDR prefix like 10.0.0.0/8 or 2001:db8::/32 with no host bits "
     "set)\n"
     "meridian.yaml:11:32: records.\"www.example.com\".nets.\"10.0.0.0/33\": invalid network "
     "\"10.0.0.0/33\" (expected a CIDR prefix like 10.0.0.0/8 or 2001:db8::/32 with no host bits "
     "set)\n"
     "meridian.yaml:11:52: records.\"www.example.com\".nets.2001:db8::/129: invalid network "
     "\"2001:db8::/129\" (expected a CIDR prefix like 10.0.0.0/8 or 2001:db8::/32 with no host "
     "bits set)\n"
     "meridian.yaml:11:75: records.\"www.example.com\".nets.\"10.0.0.0\": invalid network "
     "\"10.0.0.0\" (expected a CIDR prefix like 10.0.0.0/8 or 2001:db8::/32 with no host bits "
     "set)"},
    {"zone_missing_file",
     "region: r\n"
     "state: s.db\n"
     "dns:\n"
     "  zones:\n"
     "    - origin: example.com\n",
     "meridian.yaml:5:7: dns.zones[0].file: required key is missing"},
    {"zone_twice",
     "region: r\n"
     "state: s.db\n"
     "dns:\n"
     "  zones:\n"
     "    - { origin: example.com, file: a }\n"
     "    - { origin: EXAMPLE.com., file: b }\n",
     "meridian.yaml:6:17: dns.zones[1].origin: zone example.com. is configured twice (also "
     "dns.zones[0])"},
    {"check_type_missing",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { url: \"http://127.0.0.1/\" }\n",
     "meridian.yaml:6:12: datacenters.a.check.type: required key is missing"},
    {"check_type_unknown",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: ping }\n",
     "meridian.yaml:6:20: datacenters.a.check.type: unknown check type \"ping\" (expected http, "
     "https, tcp, dns or exec)"},
    {"http_check_needs_url",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: http }\n",
     "meridian.yaml:6:12: datacenters.a.check.url: required for http checks"},
    {"http_check_url_scheme",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: http, url: \"https://127.0.0.1/\" }\n",
     "meridian.yaml:6:31: datacenters.a.check.url: must start with http:// for type http"},
    {"https_check_url_scheme",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: https, url: \"http://127.0.0.1/\" }\n",
     "meridian.yaml:6:32: datacenters.a.check.url: must start with https:// for type https"},
    {"url_not_http",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: http, url: \"127.0.0.1/health\" }\n",
     "meridian.yaml:6:31: datacenters.a.check.url: invalid URL \"127.0.0.1/health\" (expected "
     "http://... or https://...)"},
    {"tcp_check_needs_address",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: tcp }\n",
     "meridian.yaml:6:12: datacenters.a.check.address: required for tcp checks"},
    {"tcp_check_needs_port",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: tcp, address: 127.0.0.1 }\n",
     "meridian.yaml:6:34: datacenters.a.check.address: a tcp check address needs a port (IP:PORT)"},
    {"dns_check_needs_address_and_qname",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: dns }\n",
     "meridian.yaml:6:12: datacenters.a.check.address: required for dns checks\n"
     "meridian.yaml:6:12: datacenters.a.check.qname: required for dns checks"},
    {"dns_check_bad_qtype_rcode",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: dns, address: 127.0.0.1, qname: x.test, qtype: BOGUS, rcode: 16 }\n",
     "meridian.yaml:6:67: datacenters.a.check.qtype: unknown record type \"BOGUS\"\n"
     "meridian.yaml:6:81: datacenters.a.check.rcode: unknown rcode \"16\" (expected NOERROR, "
     "SERVFAIL, NXDOMAIN, REFUSED, ... or 0..15)"},
    {"answer_only_for_dns_checks",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: tcp, address: \"127.0.0.1:80\", answer: 192.0.2.1 }\n",
     "meridian.yaml:6:58: datacenters.a.check.answer: only dns checks take an answer"},
    {"answer_needs_qtype_a_or_aaaa",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: dns, address: 127.0.0.1, qname: x.test, qtype: MX, answer: 192.0.2.1 }\n",
     "meridian.yaml:6:79: datacenters.a.check.answer: an answer needs qtype A or AAAA (qtype is "
     "MX)"},
    {"answer_needs_rcode_noerror",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: dns, address: 127.0.0.1, qname: x.test, rcode: NXDOMAIN,\n"
     "             answer: 192.0.2.1 }\n",
     "meridian.yaml:7:22: datacenters.a.check.answer: an answer needs rcode NOERROR (rcode is "
     "NXDOMAIN)"},
    {"answer_family_must_match_qtype",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: dns, address: 127.0.0.1, qname: x.test,\n"
     "             answer: [192.0.2.1, \"2001:db8::1\"] }\n"
     "  b:\n"
     "    addresses: 192.0.2.2\n"
     "    check: { type: dns, address: 127.0.0.1, qname: x.test, qtype: AAAA,\n"
     "             answer: 192.0.2.1 }\n",
     "meridian.yaml:7:34: datacenters.a.check.answer: 2001:db8::1 is not an IPv4 address (qtype "
     "is A)\n"
     "meridian.yaml:11:22: datacenters.b.check.answer: 192.0.2.1 is not an IPv6 address (qtype "
     "is AAAA)"},
    {"answer_bad_address_and_count",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: dns, address: 127.0.0.1, qname: x.test, answer: [192.0.2.300] }\n"
     "  b:\n"
     "    addresses: 192.0.2.2\n"
     "    check: { type: dns, address: 127.0.0.1, qname: x.test, answer: [] }\n",
     "meridian.yaml:6:69: datacenters.a.check.answer: invalid IP address \"192.0.2.300\"\n"
     "meridian.yaml:9:68: datacenters.b.check.answer: needs at least 1 entry"},
    {"exec_check_needs_command",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: exec }\n",
     "meridian.yaml:6:12: datacenters.a.check.command: required for exec checks"},
    {"exec_command_empty",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: exec, command: \"  \" }\n",
     "meridian.yaml:6:35: datacenters.a.check.command: the command is empty"},
    {"timeout_not_below_interval",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: tcp, address: \"127.0.0.1:80\", interval: 1s, timeout: 1s }\n",
     "meridian.yaml:6:73: datacenters.a.check.timeout: timeout 1s must be shorter than interval "
     "1s"},
    {"connect_timeout_above_timeout",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: tcp, address: \"127.0.0.1:80\", timeout: 200ms, connect_timeout: 300ms "
     "}\n",
     "meridian.yaml:6:83: datacenters.a.check.connect_timeout: connect_timeout must not exceed "
     "timeout"},
    {"fall_rise_out_of_range",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: tcp, address: \"127.0.0.1:80\", fall: 0, rise: 101 }\n",
     "meridian.yaml:6:56: datacenters.a.check.fall: fall 0 is out of range 1..100\n"
     "meridian.yaml:6:65: datacenters.a.check.rise: rise 101 is out of range 1..100"},
    {"interval_too_short",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: tcp, address: \"127.0.0.1:80\", interval: 50ms, timeout: 10ms }\n",
     "meridian.yaml:6:60: datacenters.a.check.interval: interval 50ms is out of range 100ms..1h"},
    {"expect_invalid",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: http, url: \"http://127.0.0.1/\", expect: [200, \"299-200\", 600, abc] "
     "}\n",
     "meridian.yaml:6:66: datacenters.a.check.expect: invalid status \"299-200\" (expected a code "
     "100..599 or a range like 200-299)\n"
     "meridian.yaml:6:77: datacenters.a.check.expect: invalid status \"600\" (expected a code "
     "100..599 or a range like 200-299)\n"
     "meridian.yaml:6:82: datacenters.a.check.expect: invalid status \"abc\" (expected a code "
     "100..599 or a range like 200-299)"},
    {"expect_too_many",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: http, url: \"http://127.0.0.1/\", expect: [200, 201, 202, 203, 204, 205, "
     "206, 207, 208] }\n",
     "meridian.yaml:6:60: datacenters.a.check.expect: takes at most 8 entries"},
    {"check_and_checks_both",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: exec, command: \"true\" }\n"
     "    checks: [ { type: exec, command: \"true\" } ]\n",
     "meridian.yaml:7:13: datacenters.a.checks: give either check or checks, not both"},
    {"checks_not_a_list",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    checks: { type: exec, command: \"true\" }\n",
     "meridian.yaml:6:13: datacenters.a.checks: expected a list, got a mapping"},
    {"checks_entry_unknown_key",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    checks:\n"
     "      - { type: exec, command: \"true\" }\n"
     "      - { type: exec, command: \"true\", intervall: 1s }\n",
     "meridian.yaml:8:40: datacenters.a.checks[1]: unknown key \"intervall\" (did you mean "
     "\"interval\"?)"},
    {"check_rule_invalid",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check_rule: most\n"
     "  b:\n"
     "    addresses: 192.0.2.2\n"
     "    check_rule: \"0%\"\n",
     "meridian.yaml:6:17: datacenters.a.check_rule: invalid check rule \"most\" (expected all, any "
     "or a percentage like \"50%\")\n"
     "meridian.yaml:9:17: datacenters.b.check_rule: invalid check rule \"0%\" (expected all, any "
     "or a percentage like \"50%\")"},
    {"peer_url_invalid",
     "region: r\n"
     "state: s.db\n"
     "replication:\n"
     "  key_file: k\n"
     "  peers: { eu-west: \"ftp://127.0.0.1\" }\n",
     "meridian.yaml:5:21: replication.peers.eu-west: invalid URL \"ftp://127.0.0.1\" (expected "
     "http://... or https://...)"},
    {"replication_key_file_required",
     "region: r\n"
     "state: s.db\n"
     "replication:\n"
     "  listen: \"127.0.0.1:8853\"\n",
     "meridian.yaml:4:3: replication.key_file: required when listen or peers are set"},
    {"replication_tls_pair",
     "region: r\n"
     "state: s.db\n"
     "replication:\n"
     "  tls_cert: c.pem\n",
     "meridian.yaml:4:3: replication.tls_key: tls_cert and tls_key go together"},
    {"replication_source_address_not_an_address",
     "region: r\n"
     "state: s.db\n"
     "replication:\n"
     "  source_address: eu-west.example\n",
     "meridian.yaml:4:19: replication.source_address: 'eu-west.example' is not an IPv4 or IPv6 "
     "address"},
    {"check_address_invalid",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: dns, address: \"[::1]:x\", qname: a.test }\n",
     "meridian.yaml:6:34: datacenters.a.check.address: invalid address \"[::1]:x\" (expected IP, "
     "IP:PORT or [IPv6]:PORT)"},
    {"command_list_entry_not_a_string",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: 192.0.2.1\n"
     "    check: { type: exec, command: [/bin/true, [x]] }\n",
     "meridian.yaml:6:47: datacenters.a.check.command: expected a string, got a list"},
    {"record_empty_datacenter_list",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: []\n",
     "meridian.yaml:10:18: records.\"www.example.com\".datacenters: needs at least 1 entry"},
    {"map_value_not_a_list_of_names",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a]\n"
     "    map: { EU: { a: 1 } }\n",
     "meridian.yaml:11:16: records.\"www.example.com\".map.EU: expected a datacenter list, or "
     "{weights: {DC: N, ...}} to split the entry's clients"},
    {"weights_name_a_candidate",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "  c: { addresses: 192.0.2.3, capacity: 100 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a, b]\n"
     "    weights: { a: 90, c: 10 }\n",
     "meridian.yaml:12:23: records.\"www.example.com\".weights.c: datacenter \"c\" is weighted but not one of the record's datacenters"},
    {"weights_all_zero",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "  c: { addresses: 192.0.2.3, capacity: 100 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a, b]\n"
     "    weights: { a: 0, b: 0 }\n",
     "meridian.yaml:12:14: records.\"www.example.com\".weights: every weight is 0: nothing would answer"},
    {"weight_out_of_range",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "  c: { addresses: 192.0.2.3, capacity: 100 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a, b]\n"
     "    weights: { a: 1000001 }\n",
     "meridian.yaml:12:19: records.\"www.example.com\".weights.a: a 1000001 is out of range 0..1000000"},
    {"entry_weights_outside_its_list",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "  c: { addresses: 192.0.2.3, capacity: 100 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a, b]\n"
     "    map: { EU: { datacenters: [a], weights: { b: 1 } } }\n",
     "meridian.yaml:12:47: records.\"www.example.com\".map.EU.weights.b: datacenter \"b\" is weighted but not one of the entry's datacenters"},
    {"entry_unknown_key",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "  c: { addresses: 192.0.2.3, capacity: 100 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a, b]\n"
     "    map: { EU: { weights: { a: 1 }, waits: 2 } }\n",
     "meridian.yaml:12:37: records.\"www.example.com\".map.EU.waits: unknown key (expected weights or datacenters)"},
    {"max_addresses_above_eight",
     "region: r\n"
     "state: s.db\n"
     "geoip: g.mmdb\n"
     "dns: { zones: [ { origin: example.com, file: z } ] }\n"
     "datacenters:\n"
     "  a: { addresses: 192.0.2.1 }\n"
     "  b: { addresses: 192.0.2.2 }\n"
     "  c: { addresses: 192.0.2.3, capacity: 100 }\n"
     "records:\n"
     "  www.example.com:\n"
     "    datacenters: [a, b]\n"
     "    max_addresses: 9\n",
     "meridian.yaml:12:20: records.\"www.example.com\".max_addresses: max_addresses 9 is out of range 0..8"},
    {"many_errors_in_file_order",
     "state: s\n"
     "dns:\n"
     "  udp_payload: 1\n"
     "  bogus: 1\n"
     "health: { poll: 1 }\n",
     "meridian.yaml:1:1: region: required key is missing\n"
     "meridian.yaml:3:16: dns.udp_payload: udp_payload 1 is out of range 512..4096\n"
     "meridian.yaml:4:3: dns: unknown key \"bogus\" (expected one of: listen, nsid, identity, "
     "version, udp_payload, threads, tcp_idle_timeout, tcp_max_connections, zones, rrl, cookies)\n"
     "meridian.yaml:5:17: health.poll: invalid duration \"1\" (expected a number with a unit: ms, "
     "s, m, h or d)"},
    /* address checks (datacenters.NAME.address_checks) */
    {"address_check_not_an_address_of_the_datacenter",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: [192.0.2.1, 192.0.2.2]\n"
     "    address_checks:\n"
     "      192.0.2.9: { type: tcp, address: \"127.0.0.1:80\" }\n",
     "meridian.yaml:7:18: datacenters.a.address_checks.\"192.0.2.9\": 192.0.2.9 is not one of "
     "the datacenter's addresses"},
    {"address_check_key_not_an_address",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: [192.0.2.1]\n"
     "    address_checks:\n"
     "      web1: { type: tcp, address: \"127.0.0.1:80\" }\n",
     "meridian.yaml:7:13: datacenters.a.address_checks.web1: the key must be an IPv4 or IPv6 "
     "address of the datacenter"},
    {"address_check_twice_for_one_address",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: [\"2001:db8::1\"]\n"
     "    address_checks:\n"
     "      \"2001:db8::1\": { type: tcp, address: \"127.0.0.1:80\" }\n"
     "      \"2001:DB8:0::1\": { type: tcp, address: \"127.0.0.1:81\" }\n",
     "meridian.yaml:8:24: datacenters.a.address_checks.2001:DB8:0::1: 2001:DB8:0::1 has a check "
     "already (as 2001:db8::1)"},
    {"address_check_its_own_check_errors",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a:\n"
     "    addresses: [192.0.2.1]\n"
     "    address_checks:\n"
     "      192.0.2.1: { type: http }\n",
     "meridian.yaml:7:18: datacenters.a.address_checks.\"192.0.2.1\".url: required for http checks"},
    {"min_serving_percent_out_of_range",
     "region: r\n"
     "state: s.db\n"
     "datacenters:\n"
     "  a: { addresses: [192.0.2.1], min_serving_percent: 0 }\n",
     "meridian.yaml:4:53: datacenters.a.min_serving_percent: min_serving_percent 0 is out of range "
     "1..100"},
};

static struct CMUnitTest tests[M_ARRAY_LEN(cases)];

const struct CMUnitTest *conf_cross_error_tests(size_t *count)
{
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++)
		tests[i] = (struct CMUnitTest){.name = cases[i].name,
					       .test_func = conf_test_error_case,
					       .initial_state = (void *)&cases[i]};
	*count = M_ARRAY_LEN(cases);
	return tests;
}
