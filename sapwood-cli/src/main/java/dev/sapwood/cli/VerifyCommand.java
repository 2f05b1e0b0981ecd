package dev.sapwood.cli;

import dev.sapwood.internal.tools.Verifier;
import java.util.Locale;
import picocli.CommandLine.Command;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check every block of the database as of its last checkpoint.",
        "Checks checksums, key order, pivots against child ranges, MSNs, and the block table (no",
        "block used twice, none leaked). Prints each problem with its location; exit status 1 if",
        "there is any. Writes nothing (changes still only in the write-ahead log are not checked)."})
final class VerifyCommand extends DbCommand {
  @Override
  public Integer call() {
    requireDatabase();
    Progress progress = Progress.onTerminal(err(), "blocks");
    Verifier.Report report;
    try {
      report = Verifier.verify(dir, (done, total) -> progress.update(done, done, total));
    } finally {
      progress.done();
    }
    for (Verifier.Problem p : report.problems()) {
      out().println("problem: " + p);
    }
    String counts = String.format(Locale.ROOT, "%,d blocks, %,d nodes, %,d entries, %,d buffered messages",
        report.blocks(), report.nodes(), report.entries(), report.messages());
    if (report.ok()) {
      out().println("ok: " + counts);
      return 0;
    }
    int n = report.problems().size();
    out().println(n + (n == 1 ? " problem" : " problems") + " found (" + counts + " read)");
    return Main.FAILED;
  }
}
