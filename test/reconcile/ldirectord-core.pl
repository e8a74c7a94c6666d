#!/usr/bin/perl
# Drives real ldirectord's own state subs (service_set, _service_up/_down, _restore_service,
# _remove_service, fallback_on/off, do_fallback_command, ld_start, ld_stop) over an in-memory
# IPVS table, and prints what it logged and ran, per step, as JSON. Used by
# ldirectord-diff.test.ts to compare tslvs's core with ldirectord 4.12 line by line.
# Usage: ldirectord-core.pl CONFIG SCRIPT.json
#   SCRIPT: { "table": { "<service str>": { "REAL:PORT": {forward, weight, u, l} } },
#             "steps": [ [vi, ri, "up"|"down"|"maint"], ... ], "stop": 0|1 }
use strict;
use warnings;
no warnings qw(redefine once uninitialized);
use JSON::PP;

my $ldirectord = $ENV{LDIRECTORD} // '/usr/sbin/ldirectord';
my ($config, $script_file) = @ARGV;
die "usage: $0 CONFIG SCRIPT\n" unless $script_file;

use FindBin;
require "$FindBin::Bin/../support/ldirectord-load.pl";
ldirectord_load($ldirectord);

my $script = do { open(my $s, '<', $script_file) or die "$script_file: $!"; local $/; decode_json(<$s>) };

# The table: "VIP:PORT tcp" => { real => { "RIP:PORT" => { forward, weight, u-threshold, l-threshold } } }
my %TABLE;
for my $svc (keys %{$script->{table}}) {
	$TABLE{$svc} = { scheduler => 'wrr', real => {} };
	for my $r (keys %{$script->{table}{$svc}}) {
		my $e = $script->{table}{$svc}{$r};
		$TABLE{$svc}{real}{$r} = { forward => $e->{forward}, weight => "$e->{weight}",
			'u-threshold' => "$e->{u}", 'l-threshold' => "$e->{l}" };
	}
}

my @LOG;
my @CMDS;

*main::ld_log = sub { my ($m) = @_; chomp $m; push @LOG, $m; return 0; };
*main::ld_debug = sub { return 0; };
*main::ld_emailalert_send = sub { return 0; };
*main::ld_openlog = sub { return 0; };
*main::ld_rm_file = sub { return 0; };
*main::ld_exit = sub { my ($status, $msg) = @_; print STDERR "ld_exit $status $msg\n"; exit($status // 0); };
*main::_ld_main_check_all = sub { return; };
*main::ld_read_ipvsadm = sub {
	my %copy;
	for my $svc (keys %TABLE) {
		$copy{$svc} = { scheduler => $TABLE{$svc}{scheduler}, real => {} };
		$copy{$svc}{real}{$_} = { %{$TABLE{$svc}{real}{$_}} } for keys %{$TABLE{$svc}{real}};
	}
	return \%copy;
};

# ipvsadm as far as these subs use it, with its port rule: -g/-i on an address:port service
# store the destination at the service's port.
*main::system_wrapper = sub {
	my ($cmd) = @_;
	unless ($cmd =~ s/^\Q$main::IPVSADM\E\s+//) { push @CMDS, $cmd; return 0; }
	my @a = split /\s+/, $cmd;
	my $op = shift @a;
	my ($proto, $vopt) = (shift @a, shift @a);
	my $six = 0;
	if (@a && $a[0] eq '-6') { $six = 1; shift @a; }
	my $svc = $proto eq '-f' ? "$vopt fwm" . ($six ? '6' : '') : "$vopt " . ($proto eq '-t' ? 'tcp' : 'udp');
	my %o;
	while (@a) {
		my $k = shift @a;
		if ($k =~ /^-[gmi]$/) { $o{fwd} = $k; next; }
		$o{$k} = shift @a;
	}
	if ($op eq '-A') { $TABLE{$svc} //= { scheduler => 'wrr', real => {} }; return 0; }
	if ($op eq '-E') { return 0; }
	if ($op eq '-D') { delete $TABLE{$svc}; return 0; }
	my $t = $TABLE{$svc} or return 1;
	my $rs = $o{'-r'};
	if ($proto ne '-f' && ($o{fwd} // '-g') ne '-m' && $op ne '-d') {
		my ($vport) = $vopt =~ /:(\d+)$/;
		$rs =~ s/:\d+$/:$vport/;
	}
	if ($op eq '-d') { return delete($t->{real}{$rs}) ? 0 : 1; }
	my $exists = exists $t->{real}{$rs};
	return 1 if ($op eq '-a' && $exists) || ($op eq '-e' && !$exists);
	my %fwd = ('-g' => 'gate', '-m' => 'masq', '-i' => 'ipip');
	$t->{real}{$rs} = { forward => $fwd{$o{fwd} // '-g'}, weight => $o{'-w'} // '1',
		'u-threshold' => $o{'-x'} // '0', 'l-threshold' => $o{'-y'} // '0' };
	return 0;
};

$main::CONFIG = $config;
($main::CFGNAME) = $config =~ m{([^/]+)$};
$main::DAEMON_STATUS = $main::DAEMON_STATUS_STARTING;
$main::opt_d = '';
$main::IPVSADM = '/sbin/ipvsadm';
$main::HOSTNAME = 'director';

main::read_config();
main::ld_setup();

my @out;
my $take = sub {
	my $step = { log => [@LOG], cmds => [@CMDS] };
	@LOG = (); @CMDS = ();
	return $step;
};

main::ld_start();
push @out, $take->();
$main::DAEMON_STATUS = $main::DAEMON_STATUS_RUNNING;

for my $step (@{$script->{steps}}) {
	my ($vi, $ri, $result) = @$step;
	my $v = $main::VIRTUAL[$vi];
	my $r = $v->{real}[$ri];
	if ($result eq 'maint') {
		main::service_set($v, $r, 'down', { do_log => 1, force => 1 }, 'Server in maintenance');
	} else {
		main::service_set($v, $r, $result, { do_log => 1 });
	}
	push @out, $take->();
}

if ($script->{stop}) {
	main::ld_stop();
	push @out, $take->();
}

my %final;
for my $svc (keys %TABLE) {
	$final{$svc} = { map { $_ => "$TABLE{$svc}{real}{$_}{forward} $TABLE{$svc}{real}{$_}{weight} u$TABLE{$svc}{real}{$_}{'u-threshold'} l$TABLE{$svc}{real}{$_}{'l-threshold'}" } keys %{$TABLE{$svc}{real}} };
}
print JSON::PP->new->canonical->encode({ steps => \@out, table => \%final }), "\n";
