#!/usr/bin/perl
# Runs ldirectord's own alert code (ld_emailalert_send, ld_emailalert_resend, service_set's
# monitorfile write) and prints what it logged as JSON. Loads /usr/sbin/ldirectord minus its
# main program (test/support/ldirectord-load.pl). Test-only seams: localtime()/time()
# come from the ops, Net::SMTP gets the port from $ENV{SMTP_PORT}, Mail::Mailer's sendmail
# from $ENV{PERL_MAILERS}.
# Usage: ldirectord-alerts.pl '{"globals":{...},"ops":[...]}'
use strict;
use warnings;
no warnings qw(redefine once);
use JSON::PP;

my $spec = decode_json(shift @ARGV // die "usage: $0 JSON\n");
our $FAKE_TIME = 0;
our $FAKE_LOCALTIME = '';
BEGIN {
	*CORE::GLOBAL::time = sub () { return $main::FAKE_TIME; };
	*CORE::GLOBAL::localtime = sub (;$) { return $main::FAKE_LOCALTIME; };
}

my $ldirectord = $ENV{LDIRECTORD} // '/usr/sbin/ldirectord';
use FindBin;
require "$FindBin::Bin/../support/ldirectord-load.pl";
ldirectord_load($ldirectord);

require Net::SMTP;
my $smtp_new = \&Net::SMTP::new;
*Net::SMTP::new = sub {
	my ($class, $host, %arg) = @_;
	return $smtp_new->($class, $host, %arg, Port => $ENV{SMTP_PORT} // 25);
};

my @log;
$main::DEBUG = 0;
*main::ld_log = sub { my ($m) = @_; chomp $m; push @log, $m; return 0; };
*main::ld_debug = sub { return 0; };
*main::_service_up = sub { };
*main::_service_down = sub { };

my %status = (starting => $main::DAEMON_STATUS_STARTING, running => $main::DAEMON_STATUS_RUNNING,
	stopping => $main::DAEMON_STATUS_STOPPING, reloading => $main::DAEMON_STATUS_RELOADING);
sub filter {
	my ($list) = @_;
	my $s = 0;
	$s |= $status{$_} for @$list;
	return $s;
}

my $g = $spec->{globals} // {};
$main::EMAILALERT = $g->{emailalert} // '';
$main::EMAILALERTFREQ = $g->{emailalertfreq} // 0;
$main::EMAILALERTFROM = $g->{emailalertfrom};
$main::EMAILALERTSTATUS = defined $g->{emailalertstatus} ? filter($g->{emailalertstatus}) : $main::DAEMON_STATUS_ALL;
$main::SMTP = $g->{smtp};

my %virtuals;
sub virtual {
	my ($name, $fields) = @_;
	return $virtuals{$name} //= do {
		my %v = %$fields;
		$v{emailalertstatus} = filter($v{emailalertstatus}) if defined $v{emailalertstatus};
		\%v;
	};
}

my @ids;
for my $op (@{ $spec->{ops} }) {
	$FAKE_TIME = $op->{time} // 0;
	$FAKE_LOCALTIME = $op->{localtime} // '';
	$main::DAEMON_STATUS = $status{ $op->{status} // 'running' };
	if ($op->{op} eq 'send') {
		main::ld_emailalert_send($op->{subject}, virtual($op->{v}, $op->{fields}), $op->{server}, $op->{time});
	} elsif ($op->{op} eq 'resend') {
		main::ld_emailalert_resend();
	} elsif ($op->{op} eq 'monitor') {
		my %v = (protocol => 'tcp', checktype => 'negotiate', service => 'http', request => '/',
			receive => '', checkcommand => '', %{ $op->{fields} });
		my %r = (forward => 'gate', weight => 1, %{ $op->{real} });
		my $rid = main::get_real_id_str(\%r, \%v);
		push @ids, $rid;
		@main::VIRTUAL = (\%v);
		@main::REAL = ({ real => $rid, virtual => [ main::get_virtual_id_str(\%v) ] });
		main::service_set(\%v, \%r, $op->{state}, { do_log => 1 }, $op->{msg});
	}
}
print encode_json({ log => \@log, ids => \@ids, pid => $$ }), "\n";
