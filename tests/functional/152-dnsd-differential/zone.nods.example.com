$ORIGIN nods.example.com.
$TTL 1800
@	IN SOA	ns1 hostmaster 7 7200 900 1209600 600
	IN NS	ns1
ns1	IN A	192.0.2.55
