#!/usr/bin/perl
# geo-synth.pl -- writes a large synthetic GeoIP2-City-like database for the benchmarks
#
# usage: geo-synth.pl OUT.mmdb [IPV4_NETWORKS [IPV6_NETWORKS [CITIES [SEED]]]]
#        defaults: 500000 100000 3000 1
#
# Shape, chosen to look like the real City databases to a loader:
# - CITIES cities, each in a country (table below: continent, ISO code, centre), with a
#   subdivision code, names in four languages, a geoname id, and coordinates scattered
#   within ~8 degrees of the country's centre; every city has a few record variants
#   (accuracy radius, postal code) so the data section holds ~4 records per city.
# - IPv4: networks from /16 to /29 walked upwards through 1.0.0.0-223.255.255.255 with
#   gaps, so the count lands near IPV4_NETWORKS; 60% of networks continue the previous
#   network's city (real blocks are contiguous), the rest pick a city at random.
# - IPv6: networks from /28 to /48 walked through 2400::-2bff::, same city rule.
# - ~2% of networks carry a country-only record (no coordinates).
# Deterministic for a given SEED. Nothing here is a real allocation.
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

my ( $out, $n4, $n6, $ncity, $seed ) = @ARGV;
die "usage: $0 OUT.mmdb [IPV4_NETWORKS [IPV6_NETWORKS [CITIES [SEED]]]]\n" unless $out;
$n4    //= 500000;
$n6    //= 100000;
$ncity //= 3000;
$seed  //= 1;
srand($seed);

my @countries = (
	[ 'NA', 'US', 39.8, -98.6 ],  [ 'NA', 'CA', 56.1, -106.3 ], [ 'NA', 'MX', 23.6, -102.5 ],
	[ 'SA', 'BR', -14.2, -51.9 ], [ 'SA', 'AR', -38.4, -63.6 ],  [ 'SA', 'CO', 4.6, -74.1 ],
	[ 'EU', 'GB', 54.0, -2.0 ],   [ 'EU', 'DE', 51.2, 10.4 ],    [ 'EU', 'FR', 46.2, 2.2 ],
	[ 'EU', 'IE', 53.4, -8.2 ],   [ 'EU', 'ES', 40.5, -3.7 ],    [ 'EU', 'IT', 41.9, 12.6 ],
	[ 'EU', 'PL', 51.9, 19.1 ],   [ 'EU', 'SE', 60.1, 18.6 ],    [ 'EU', 'NL', 52.1, 5.3 ],
	[ 'AS', 'JP', 36.2, 138.3 ],  [ 'AS', 'CN', 35.9, 104.2 ],   [ 'AS', 'IN', 20.6, 79.0 ],
	[ 'AS', 'SG', 1.35, 103.8 ],  [ 'AS', 'KR', 35.9, 127.8 ],   [ 'AS', 'ID', -0.8, 113.9 ],
	[ 'OC', 'AU', -25.3, 133.8 ], [ 'OC', 'NZ', -40.9, 174.9 ],  [ 'AF', 'ZA', -30.6, 22.9 ],
	[ 'AF', 'NG', 9.1, 8.7 ],     [ 'AF', 'EG', 26.8, 30.8 ],    [ 'AF', 'KE', -0.02, 37.9 ],
);

my %types = (
	accuracy_radius => 'uint16',
	city            => 'map',
	code            => 'utf8_string',
	continent       => 'map',
	country         => 'map',
	de              => 'utf8_string',
	en              => 'utf8_string',
	fr              => 'utf8_string',
	ja              => 'utf8_string',
	geoname_id      => 'uint32',
	iso_code        => 'utf8_string',
	latitude        => 'double',
	location        => 'map',
	longitude       => 'double',
	names           => 'map',
	postal          => 'map',
	subdivisions    => [ 'array', 'map' ],
	time_zone       => 'utf8_string',
);

sub clamp { my ( $v, $lo, $hi ) = @_; return $v < $lo ? $lo : $v > $hi ? $hi : $v }

my @cities;
for my $i ( 0 .. $ncity - 1 ) {
	my $c   = $countries[ int( rand(@countries) ) ];
	my $lat = clamp( $c->[2] + ( rand(16) - 8 ), -89.9, 89.9 );
	my $lon = $c->[3] + ( rand(16) - 8 );
	$lon -= 360 if $lon > 180;
	$lon += 360 if $lon < -180;
	my $name = sprintf( 'City %04d', $i );
	my @variants;
	for my $v ( 0 .. 3 ) {
		push @variants, {
			city => { geoname_id => 1000000 + $i, names => { en => $name, de => "Stadt $i", fr => "Ville $i", ja => "都市$i" } },
			continent    => { code => $c->[0], geoname_id => 6255148, names => { en => $c->[0] } },
			country      => { iso_code => $c->[1], geoname_id => 2000000 + $i % 97, names => { en => $c->[1] } },
			subdivisions => [ { iso_code => sprintf( '%02d', $i % 40 ), names => { en => "Region $i" } } ],
			location     => {
				latitude        => 0 + sprintf( '%.4f', $lat ),
				longitude       => 0 + sprintf( '%.4f', $lon ),
				accuracy_radius => ( 5, 20, 50, 100 )[$v],
				time_zone       => 'Etc/UTC',
			},
			postal => { code => sprintf( '%05d', ( $i * 7 + $v ) % 100000 ) },
		};
	}
	push @cities, { variants => \@variants, country => $c };
}

my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version               => 6,
	record_size              => 28,
	database_type            => 'Meridian-Synthetic-City',
	languages                => [qw(en de fr ja)],
	description              => { en => "Meridian synthetic City database (seed $seed)" },
	map_key_type_callback    => sub { $types{ $_[0] } // die "no type for $_[0]" },
	alias_ipv6_to_ipv4       => 1,
	remove_reserved_networks => 0,
);

my $city = 0;
sub next_record {
	$city = int( rand(@cities) ) if rand() >= 0.6;
	my $c = $cities[$city];
	if ( rand() < 0.02 ) {    # country only, no coordinates
		return { continent => { code => $c->{country}[0] }, country => { iso_code => $c->{country}[1] } };
	}
	return $c->{variants}[ int( rand(4) ) ];
}

# prefix lengths, weighted like a real database: many /24s, some small and large
my @len4 = ( (24) x 40, (22) x 8, (23) x 10, (21) x 5, (20) x 4, (19) x 2, (18) x 1, (16) x 1,
	(25) x 8, (26) x 8, (27) x 6, (28) x 4, (29) x 3 );
my $start4 = 1 << 24;
my $end4   = 224 << 24;
my $stride = ( $end4 - $start4 ) / $n4;
my $addr   = $start4;
my $count  = 0;
for my $i ( 0 .. $n4 - 1 ) {
	my $len  = $len4[ int( rand(@len4) ) ];
	my $size = 1 << ( 32 - $len );
	$addr = ( $addr + $size - 1 ) & ~( $size - 1 ) & 0xffffffff;
	last if $addr + $size > $end4;
	$tree->insert_network( join( '.', unpack( 'C4', pack( 'N', $addr ) ) ) . "/$len", next_record() );
	$count++;
	$addr += $size;
	my $target = $start4 + int( ( $i + 1 ) * $stride );
	$addr = $target if $addr < $target && rand() < 0.7;
}
print STDERR "ipv4 networks: $count\n";

# IPv6: walk the top 64 bits from 2400:: upwards
my @len6 = ( (32) x 20, (29) x 5, (36) x 10, (40) x 15, (44) x 15, (48) x 35 );
my $addr6   = 0x2400 << 48;
my $end6    = 0x2c00 << 48;
my $stride6 = int( ( $end6 - $addr6 ) / $n6 );
my $start6  = $addr6;
$count = 0;
for my $i ( 0 .. $n6 - 1 ) {
	my $len  = $len6[ int( rand(@len6) ) ];
	my $size = 1 << ( 64 - $len );
	$addr6 = ( $addr6 + $size - 1 ) & ~( $size - 1 );
	last if $addr6 + $size > $end6;
	my $text = sprintf( '%x:%x:%x:%x::/%d', ( $addr6 >> 48 ) & 0xffff, ( $addr6 >> 32 ) & 0xffff,
		( $addr6 >> 16 ) & 0xffff, $addr6 & 0xffff, $len );
	$tree->insert_network( $text, next_record() );
	$count++;
	$addr6 += $size;
	my $target = $start6 + ( $i + 1 ) * $stride6;
	$addr6 = $target if $addr6 < $target && rand() < 0.7;
}
print STDERR "ipv6 networks: $count\n";

open my $fh, '>:raw', "$out.tmp" or die "$out.tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "$out.tmp: $!\n";
rename "$out.tmp", $out or die "$out: $!\n";
