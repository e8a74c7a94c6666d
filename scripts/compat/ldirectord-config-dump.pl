#!/usr/bin/perl
# Reads a config file with ldirectord's own code and prints what it understood, as JSON.
# It loads /usr/sbin/ldirectord (or $LDIRECTORD) minus its main program, then calls the real
# read_config() and ld_setup(). Errors and warnings come out on stderr exactly as ldirectord
# prints them at start-up; the exit status is ldirectord's (2 on a config error).
# Usage: ldirectord-config-dump.pl CONFIG
use strict;
use warnings;
no warnings qw(redefine once);
use JSON::PP;

my $ldirectord = $ENV{LDIRECTORD} // '/usr/sbin/ldirectord';
my $config = shift @ARGV or die "usage: $0 CONFIG\n";

open(my $fh, '<', $ldirectord) or die "cannot read $ldirectord: $!\n";
my $src = do { local $/; <$fh> };
close($fh);

# Cut the main program (option parsing, the PERLIO re-exec, ld_init/ld_start/ld_main).
$src =~ s/^# command line options\n.*?^&ld_exit\(0, "Reached end of \\"main\\""\);\n//ms
	or die "could not find ldirectord's main program in $ldirectord\n";
# Stop at __END__ (the POD) so the eval sees code only.
$src =~ s/^__END__\n.*//ms;

{
	package main;
	no strict;
	eval $src;
	die "loading $ldirectord: $@" if $@;
}

# Side effects we do not want while only reading a file.
*main::ld_log = sub { my ($m) = @_; chomp $m; print STDERR "$m\n"; return 0; };
*main::ld_rm_file = sub { return 0; };
*main::ld_exit = sub { my ($status, $msg) = @_; $status //= 0; exit($status); };
# ld_openlog() opens the log file for append to test it, which creates it; test without creating.
*main::ld_openlog = sub {
	return 0 if $main::SUPERVISED eq 'yes';
	if ($main::LDIRLOG =~ /^\//) {
		return 0 if -e $main::LDIRLOG ? -w $main::LDIRLOG && ! -d $main::LDIRLOG
		                               : -d (($main::LDIRLOG =~ m{^(.*)/[^/]*$})[0] || '/');
		return 1;
	}
	return 0;
};

$main::CONFIG = $config;
($main::CFGNAME) = $config =~ m{([^/]+)$};
$main::DAEMON_STATUS = $main::DAEMON_STATUS_STARTING;
$main::opt_d = '';
$main::HOSTNAME = defined $ENV{HOSTNAME} ? $ENV{HOSTNAME} : (POSIX::uname())[1];

main::read_config();
main::ld_setup();

sub fallback_out {
	my ($f) = @_;
	return undef unless $f;
	return { server => $f->{server}, port => $f->{port}, forward => $f->{forward} };
}

my @virtuals;
for my $v (@main::VIRTUAL) {
	my %o = map { exists $v->{$_} ? ($_ => $v->{$_}) : () } qw(
		server port protocol fwm service checktype num_connects scheduler persistent netmask
		schedflags ops request receive login passwd database secret load httpmethod virtualhost
		checkcommand checkport checktimeout negotiatetimeout checkcount failurecount checkinterval
		fallbackcommand emailalert emailalertfreq emailalertstatus monitorfile smtp servicename comment);
	$o{addressfamily} = $v->{addressfamily} == Socket::AF_INET6() ? 6 : 4;
	$o{id} = main::get_virtual_id_str($v);
	$o{fallback} = fallback_out($v->{fallback});
	# Effective values as the daemon uses them.
	$o{effective_quiescent} = defined $v->{quiescent} ? $v->{quiescent} : $main::QUIESCENT;
	$o{effective_cleanstop} = defined $v->{cleanstop} ? $v->{cleanstop} : $main::CLEANSTOP;
	$o{effective_checkinterval} = ($main::FORKING eq 'yes' && $v->{checkinterval}) ? $v->{checkinterval} : $main::CHECKINTERVAL;
	$o{real} = [ map {
		my $r = $_;
		{ server => $r->{server}, port => $r->{port}, forward => $r->{forward}, weight => $r->{weight},
		  request => $r->{request}, receive => $r->{receive}, url => $r->{url},
		  'l-threshold' => $r->{'l-threshold'}, 'u-threshold' => $r->{'u-threshold'},
		  id => main::get_real_id_str($r, $v) }
	} @{$v->{real}} ];
	push @virtuals, \%o;
}

my %global = (
	checktimeout => $main::CHECKTIMEOUT, negotiatetimeout => $main::NEGOTIATETIMEOUT,
	checkinterval => $main::CHECKINTERVAL, checkcount => $main::CHECKCOUNT,
	failurecount => $main::FAILURECOUNT, fallbackcommand => $main::FALLBACKCOMMAND,
	autoreload => $main::AUTOCHECK, callback => $main::CALLBACK, logfile => $main::LDIRLOG,
	execute => [ sort keys %main::LD_INSTANCE ], fork => $main::FORKING,
	supervised => $main::SUPERVISED, quiescent => $main::QUIESCENT,
	readdquiescent => $main::READDQUIESCENT, emailalert => $main::EMAILALERT,
	emailalertfreq => $main::EMAILALERTFREQ, emailalertstatus => $main::EMAILALERTSTATUS,
	emailalertfrom => $main::EMAILALERTFROM, cleanstop => $main::CLEANSTOP, smtp => $main::SMTP,
	maintenancedir => $main::MAINTDIR,
	fallback => $main::FALLBACK ? { tcp => fallback_out($main::FALLBACK->{tcp}), udp => fallback_out($main::FALLBACK->{udp}) } : undef,
	fallback6 => $main::FALLBACK6 ? { tcp => fallback_out($main::FALLBACK6->{tcp}), udp => fallback_out($main::FALLBACK6->{udp}) } : undef,
);

my @shared = map { { real => $_->{real}, virtual => $_->{virtual} } } @main::REAL;

print JSON::PP->new->canonical->pretty->encode({ global => \%global, virtual => \@virtuals, shared => \@shared });
