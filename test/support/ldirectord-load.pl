# Loads real ldirectord's code into package main without running it: the file minus its main
# program (option parsing, ld_init/ld_start/ld_main) and its POD, eval'd once. Then its subs
# (read_config, ld_setup, _check_real, check_*, ...) can be called and replaced one by one.
# Usage: require 'PATH/ldirectord-load.pl'; ldirectord_load($ENV{LDIRECTORD} // '/usr/sbin/ldirectord');
use strict;
use warnings;

sub ldirectord_load {
	my ($ldirectord) = @_;
	open(my $fh, '<', $ldirectord) or die "cannot read $ldirectord: $!\n";
	my $src = do { local $/; <$fh> };
	close($fh);
	$src =~ s/^# command line options\n.*?^&ld_exit\(0, "Reached end of \\"main\\""\);\n//ms
		or die "could not find ldirectord's main program in $ldirectord\n";
	$src =~ s/^__END__\n.*//ms;
	package main;
	no strict;
	eval $src;
	die "loading $ldirectord: $@" if $@;
	return 1;
}

1;
