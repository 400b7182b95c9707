#!/usr/bin/perl
# make-test-mmdb.pl -- writes the small test databases the geo unit tests read
#
# usage: make-test-mmdb.pl OUTDIR
# writes OUTDIR/test-city.mmdb     GeoIP2-City-like, IPv6 tree (IPv4 aliased in)
#        OUTDIR/test-city-v4.mmdb  the IPv4 networks only, IPv4 tree
#        OUTDIR/test-country.mmdb  GeoIP2-Country-like: continent and country, no coordinates
#
# The networks (addresses are only data in a file; nothing connects to them):
#
#   network            continent/country/subdivision  city         lat, lon
#   81.2.69.0/25       EU/GB/ENG                      London       51.5142, -0.0931
#   81.2.69.128/25     EU/GB/ENG                      Manchester   53.4808, -2.2426
#       (two records, one answer: merge to 81.2.69.0/24)
#   89.160.20.0/24     EU/SE/AB                       Stockholm    59.3294, 18.0686
#   217.65.48.0/24     EU/GI                          -            no location
#   67.43.156.0/24     NA/US/VA                       Ashburn      39.0437, -77.4875
#   50.114.0.0/16      NA/US/CA                       San Jose     37.3388, -121.8916
#   186.30.236.0/24    SA/CO/DC                       Bogota        4.6097, -74.0817
#   175.16.199.0/24    AS/CN/22                       Changchun    43.88,   125.3228
#   202.196.224.0/20   AS/PH/00                       Manila       14.6042, 120.9822
#   111.235.160.0/24   AS/JP                          -            no location
#   41.0.0.0/24        AF/NG                          (tie point)  10.0,      0.0
#       (equidistant from the tie datacenters at 10,-20 and 10,20)
#   1.128.0.0/11       OC/AU                          -            -27.0, 133.0
#   2001:218::/32      AS/JP/13                       Tokyo        35.6895, 139.6917
#   2a02:cf40::/30     EU/NO/03                       Oslo         59.9127, 10.7461
#   2a02:cf44::/30     EU/NO/46                       Bergen       60.3913, 5.3221
#       (two records, one answer: merge to 2a02:cf40::/29)
#   2600:1f00::/24     NA/US/VA                       Ashburn      39.0437, -77.4875
#   2804:1::/32        SA/BR                          -            no location
#   2c0f:ff40::/26     AF/ZA/GT                       Johannesburg -26.2023, 28.0436
#
# The Country database holds 81.2.69.0/24 EU/GB, 67.43.156.0/24 NA/US,
# 175.16.199.0/24 AS/CN, 202.196.224.0/20 AS/PH and 2001:218::/32 AS/JP.
# Everything else in all three files has no record.
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

my $outdir = shift @ARGV or die "usage: $0 OUTDIR\n";

my %types = (
	city            => 'map',
	code            => 'utf8_string',
	continent       => 'map',
	country         => 'map',
	en              => 'utf8_string',
	geoname_id      => 'uint32',
	iso_code        => 'utf8_string',
	latitude        => 'double',
	location        => 'map',
	longitude       => 'double',
	accuracy_radius => 'uint16',
	names           => 'map',
	subdivisions    => [ 'array', 'map' ],
);

my @city = (
	[ '81.2.69.0/25',     'EU', 'GB', 'ENG', 'London',       51.5142,  -0.0931 ],
	[ '81.2.69.128/25',   'EU', 'GB', 'ENG', 'Manchester',   53.4808,  -2.2426 ],
	[ '89.160.20.0/24',   'EU', 'SE', 'AB',  'Stockholm',    59.3294,  18.0686 ],
	[ '217.65.48.0/24',   'EU', 'GI', undef, undef,          undef,    undef ],
	[ '67.43.156.0/24',   'NA', 'US', 'VA',  'Ashburn',      39.0437,  -77.4875 ],
	[ '50.114.0.0/16',    'NA', 'US', 'CA',  'San Jose',     37.3388,  -121.8916 ],
	[ '186.30.236.0/24',  'SA', 'CO', 'DC',  'Bogota',       4.6097,   -74.0817 ],
	[ '175.16.199.0/24',  'AS', 'CN', '22',  'Changchun',    43.88,    125.3228 ],
	[ '202.196.224.0/20', 'AS', 'PH', '00',  'Manila',       14.6042,  120.9822 ],
	[ '111.235.160.0/24', 'AS', 'JP', undef, undef,          undef,    undef ],
	[ '41.0.0.0/24',      'AF', 'NG', undef, undef,          10.0,     0.0 ],
	[ '1.128.0.0/11',     'OC', 'AU', undef, undef,          -27.0,    133.0 ],
	[ '2001:218::/32',    'AS', 'JP', '13',  'Tokyo',        35.6895,  139.6917 ],
	[ '2a02:cf40::/30',   'EU', 'NO', '03',  'Oslo',         59.9127,  10.7461 ],
	[ '2a02:cf44::/30',   'EU', 'NO', '46',  'Bergen',       60.3913,  5.3221 ],
	[ '2600:1f00::/24',   'NA', 'US', 'VA',  'Ashburn',      39.0437,  -77.4875 ],
	[ '2804:1::/32',      'SA', 'BR', undef, undef,          undef,    undef ],
	[ '2c0f:ff40::/26',   'AF', 'ZA', 'GT',  'Johannesburg', -26.2023, 28.0436 ],
);

my @country = (
	[ '81.2.69.0/24',     'EU', 'GB' ],
	[ '67.43.156.0/24',   'NA', 'US' ],
	[ '175.16.199.0/24',  'AS', 'CN' ],
	[ '202.196.224.0/20', 'AS', 'PH' ],
	[ '2001:218::/32',    'AS', 'JP' ],
);

sub city_record {
	my ( $continent, $country, $subdivision, $city, $lat, $lon ) = @_;
	my %r = (
		continent => { code     => $continent },
		country   => { iso_code => $country },
	);
	$r{subdivisions} = [ { iso_code => $subdivision } ] if defined $subdivision;
	$r{city} = { geoname_id => 1, names => { en => $city } } if defined $city;
	$r{location} = { latitude => $lat, longitude => $lon, accuracy_radius => 50 }
		if defined $lat;
	return \%r;
}

sub new_tree {
	my ( $ip_version, $type ) = @_;
	return MaxMind::DB::Writer::Tree->new(
		ip_version               => $ip_version,
		record_size              => 28,
		database_type            => $type,
		languages                => ['en'],
		description              => { en => "Meridian test database ($type)" },
		map_key_type_callback    => sub { $types{ $_[0] } // die "no type for $_[0]" },
		alias_ipv6_to_ipv4       => $ip_version == 6 ? 1 : 0,
		remove_reserved_networks => 0,
	);
}

sub write_tree {
	my ( $tree, $name ) = @_;
	my $path = "$outdir/$name";
	open my $fh, '>:raw', "$path.tmp" or die "$path.tmp: $!\n";
	$tree->write_tree($fh);
	close $fh or die "$path.tmp: $!\n";
	rename "$path.tmp", $path or die "$path: $!\n";
}

my $city = new_tree( 6, 'Meridian-Test-City' );
my $city4 = new_tree( 4, 'Meridian-Test-City' );
for my $n (@city) {
	my ( $net, @rest ) = @$n;
	$city->insert_network( $net, city_record(@rest) );
	$city4->insert_network( $net, city_record(@rest) ) unless $net =~ /:/;
}
write_tree( $city,  'test-city.mmdb' );
write_tree( $city4, 'test-city-v4.mmdb' );

my $country = new_tree( 6, 'Meridian-Test-Country' );
for my $n (@country) {
	my ( $net, $continent, $cc ) = @$n;
	$country->insert_network( $net, city_record( $continent, $cc ) );
}
write_tree( $country, 'test-country.mmdb' );
