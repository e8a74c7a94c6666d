#!/usr/bin/perl
# Runs every check of an ldirectord.cf with real ldirectord's own code and prints what each one
# told service_set(), as JSON. Nothing is rebuilt by hand: /usr/sbin/ldirectord (or $LDIRECTORD)
# is loaded minus its main program (ldirectord-load.pl), the file is read by its read_config()
# and ld_setup(), and each virtual's first real is checked by its _check_real() - the daemon's
# own dispatch, defaults, URLs and timeouts.
#
# Each check runs in a child of its own (as ldirectord's fork=yes does), PARALLEL at a time; a
# child that has not finished after LIMIT seconds is killed and reported as "stalled" (ldirectord
# gives some checks no deadline at all: sql). service_set() is replaced, in each child, by a
# recorder: a check may call it several times (check_ldap does: its `return` inside an eval
# leaves only the eval) or never (check_http when LWP hands back no response at all; the real
# then keeps its previous state).
#
# Usage: ldirectord-checks.pl CONFIG [PARALLEL [LIMIT]]
# Output: one JSON array, one element per virtual in file order:
#   { "virtual": ID, "real": ID, "calls": [ {"state": "up"|"down", "message": TEXT}, ... ],
#     "finished": true|false, "ms": N }
use strict;
use warnings;
no warnings qw(redefine once);
use JSON::PP;
use File::Basename ();
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes qw(time sleep);

my $ldirectord = $ENV{LDIRECTORD} // '/usr/sbin/ldirectord';
my $config = shift @ARGV or die "usage: $0 CONFIG [PARALLEL [LIMIT]]\n";
my $parallel = shift @ARGV // 8;
my $limit = shift @ARGV // 10;

my $here = File::Basename::dirname(__FILE__);
require "$here/ldirectord-load.pl";
ldirectord_load($ldirectord);

# Quiet, and no files touched: log lines go nowhere, a config error ends the run.
*main::ld_log = sub { return 0; };
*main::ld_debug = sub { return 0; };
*main::ld_rm_file = sub { return 0; };
*main::ld_exit = sub { my ($status, $msg) = @_; print STDERR "ld_exit($status): ", ($msg // ''), "\n"; exit($status || 2); };

$main::CONFIG = $config;
($main::CFGNAME) = $config =~ m{([^/]+)$};
$main::DAEMON_STATUS = $main::DAEMON_STATUS_STARTING;
$main::opt_d = '';
$main::DEBUG = 0;
$main::HOSTNAME = defined $ENV{HOSTNAME} ? $ENV{HOSTNAME} : (POSIX::uname())[1];

main::read_config();
main::ld_setup();

# Load what the checks require lazily once, here, so the children share it instead of each
# compiling it again (a module that is not installed fails in the child, as in ldirectord).
for my $m (qw(Net::SMTP Mail::POP3Client Net::IMAP::Simple Net::IMAP::Simple::SSL Net::LDAP
              Authen::Radius DBI DBD::mysql DBD::Pg Net::FTP Net::DNS)) {
	eval "require $m; 1";
}

my @calls;
*main::service_set = sub {
	my ($v, $r, $state, $flags, $msg) = @_;
	$msg = defined $msg ? "$msg" : '';
	$msg = substr($msg, 0, 300) . '...' if length($msg) > 300;
	push @calls, { state => $state, message => $msg };
};

my $dir = tempdir('ldirectord-checks-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my @virtuals = @main::VIRTUAL;
my @out = map {
	my $v = $_;
	{ virtual => main::get_virtual_id_str($v), real => main::get_real_id_str($v->{real}[0], $v),
	  calls => [], finished => JSON::PP::false, ms => 0 }
} @virtuals;

my %running;    # pid => [index, start]
my $next = 0;
while ($next < @virtuals || %running) {
	while ($next < @virtuals && keys(%running) < $parallel) {
		my $i = $next++;
		my $pid = fork();
		die "fork: $!" unless defined $pid;
		if ($pid == 0) {
			my $v = $virtuals[$i];
			@calls = ();
			main::_check_real($v, $v->{real}[0]);
			open(my $o, '>', "$dir/$i.json") or POSIX::_exit(3);
			print $o encode_json(\@calls);
			close($o);
			POSIX::_exit(0);
		}
		$running{$pid} = [$i, time()];
	}
	my $pid = waitpid(-1, POSIX::WNOHANG());
	if ($pid > 0 && $running{$pid}) {
		my ($i, $start) = @{ delete $running{$pid} };
		$out[$i]{ms} = int((time() - $start) * 1000);
		if (open(my $in, '<', "$dir/$i.json")) {
			local $/;
			$out[$i]{calls} = decode_json(<$in>);
			$out[$i]{finished} = JSON::PP::true;
			close($in);
		}
		next;
	}
	for my $p (keys %running) {
		my ($i, $start) = @{ $running{$p} };
		if (time() - $start > $limit) {
			kill 'KILL', $p;
			waitpid($p, 0);
			delete $running{$p};
			$out[$i]{ms} = int((time() - $start) * 1000);
		}
	}
	sleep(0.02);
}
print encode_json(\@out), "\n";
exit 0;
