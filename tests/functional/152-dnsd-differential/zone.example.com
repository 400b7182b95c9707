$ORIGIN example.com.
$TTL 3600
@	IN SOA	ns1 hostmaster 2026120601 7200 900 1209600 300
	IN NS	ns1
	IN NS	ns2.example.net.
	IN MX	10 mail
	IN MX	20 mx.wild
	IN TXT	"v=spf1 -all"
	IN CAA	0 issue "ca.example.net"
ns1	IN A	192.0.2.53
	IN AAAA	2001:db8::53
mail	300 IN A	192.0.2.25
www	IN A	192.0.2.80
	IN A	192.0.2.81
	IN AAAA	2001:db8::80
	IN TXT	"hello" "world"
	IN HINFO "PC" "Linux"
Mixed	IN A	192.0.2.82
alias	IN CNAME www
alias2	IN CNAME alias
tonx	IN CNAME nothere
outside	IN CNAME www.example.net.
tocut	IN CNAME host.sub
tochild	IN CNAME www.child
towild	IN CNAME foo.wild
loop1	IN CNAME loop2
loop2	IN CNAME loop1
*.wild	IN A	192.0.2.99
	IN TXT	"wild"
	IN MX	10 mail
*.cw	IN CNAME www
a.b.ent	IN A	192.0.2.9
srv	IN SRV	0 5 80 www
_sip._tcp	IN SRV	10 60 5060 x.wild
_443._tcp.www	IN TLSA	3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ptr	IN PTR	www.example.com.
naptr	IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._tcp
ssh	IN SSHFP 4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
rp	IN RP	hostmaster.example.com. txt.example.com.
txt	IN TXT	"one"
spf	IN SPF	"v=spf1 -all"
loc	IN LOC	52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m
uri	IN URI	10 1 "https://www.example.com/"
sub	IN NS	ns.sub
	IN NS	ns.other.example.net.
	IN DS	12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE2B5B8B3E8C8E3A4D6C1B3F2A
ns.sub	IN A	198.51.100.53
	IN AAAA	2001:db8::153
child	IN NS	ns1.child
	IN DS	54321 13 2 A9FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE2B5B8B3E8C8E3A4D6C1B3F2B
ns1.child IN A	192.0.2.54
nods	IN NS	ns1.nods
ns1.nods IN A	192.0.2.55
old	IN DNAME new.example.com.
new	IN A	192.0.2.7
x.new	IN A	192.0.2.8
	IN MX	10 mail
out	IN DNAME example.net.
cut	IN DNAME sub.example.com.
long	IN DNAME aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example.com.
