#!/usr/bin/perl
# Renames the core's one-letter accessors to names that say what they read (issue 11, item 4):
#   sim/config.ts g -> param, c -> cost_ns, w -> wl_param; fs/stats.ts st -> stat_value;
#   mm/pcp.ts li -> pcp_list_index; fuse/request.ts w -> field_ptr.
# Per file: only names the file defines or imports from those modules. Idempotent. Usage: perl this.pl files...
use strict; use warnings;
my %from = ('sim/config' => { g => 'param', c => 'cost_ns', w => 'wl_param' }, 'fs/stats' => { st => 'stat_value' });
for my $f (@ARGV) {
  local $/; open my $in, '<', $f or die; my $s = <$in>; close $in;
  my %ren;
  if ($f =~ m{assembly/sim/config\.ts$}) { %ren = (%ren, %{$from{'sim/config'}}); }
  if ($f =~ m{assembly/fs/stats\.ts$}) { %ren = (%ren, %{$from{'fs/stats'}}); }
  if ($f =~ m{assembly/mm/pcp\.ts$}) { $ren{li} = 'pcp_list_index'; }
  if ($f =~ m{assembly/fuse/request\.ts$}) { $ren{w} = 'field_ptr'; }
  # imports: import { ... } from "<path ending in sim/config or fs/stats>"
  while ($s =~ m/import\s*\{([^}]*)\}\s*from\s*"[^"]*?((?:sim\/config|fs\/stats))"/g) {
    my ($list, $mod) = ($1, $2);
    for my $old (keys %{$from{$mod}}) { $ren{$old} = $from{$mod}{$old} if $list =~ /(?<![\w.])$old(?![\w])/; }
    # a file inside sim/ imports "./config", inside fs/ "./stats"
  }
  if ($f =~ m{assembly/sim/}) { while ($s =~ m/import\s*\{([^}]*)\}\s*from\s*"\.\/config"/g) { my $l = $1; for my $o (keys %{$from{'sim/config'}}) { $ren{$o} = $from{'sim/config'}{$o} if $l =~ /(?<![\w.])$o(?![\w])/; } } }
  if ($f =~ m{assembly/fs/}) { while ($s =~ m/import\s*\{([^}]*)\}\s*from\s*"\.\/stats"/g) { my $l = $1; for my $o (keys %{$from{'fs/stats'}}) { $ren{$o} = $from{'fs/stats'}{$o} if $l =~ /(?<![\w.])$o(?![\w])/; } } }
  next unless %ren;
  for my $old (keys %ren) {
    my $new = $ren{$old};
    # calls and definitions: old( not preceded by an identifier character or a dot
    $s =~ s/(?<![\w.\$])$old\(/$new(/g;
    # import lists
    1 while $s =~ s#(import\s*\{[^}]*?)(?<![\w.])$old(?![\w])([^}]*\})#$1$new$2#;
  }
  open my $out, '>', $f or die; print $out $s; close $out;
}
