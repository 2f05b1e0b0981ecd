package dev.sapwood.bench.peers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The classic picture: insert rate (y) against keys loaded so far (x), one line per engine. */
final class InsertRateChart {
  private InsertRateChart() {}

  /**
   * Writes a PNG of the timelines ({keys done, ops/s} samples per engine); each line is smoothed
   * over {@code window} samples so that the shape, not the sampling noise, shows.
   */
  static void write(Path png, String title, Map<String, List<double[]>> timelines, int window)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(1000).height(600).title(title)
        .xAxisTitle("keys loaded").yAxisTitle("inserts per second").build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setXAxisDecimalPattern("#,###");
    chart.getStyler().setYAxisDecimalPattern("#,###");
    for (Map.Entry<String, List<double[]>> e : timelines.entrySet()) {
      List<double[]> t = e.getValue();
      if (t.isEmpty()) {
        continue;
      }
      double[] x = new double[t.size()];
      double[] y = new double[t.size()];
      for (int i = 0; i < t.size(); i++) {
        x[i] = t.get(i)[0];
        double sum = 0;
        int n = 0;
        for (int j = Math.max(0, i - window + 1); j <= i; j++) {
          sum += t.get(j)[1];
          n++;
        }
        y[i] = sum / n;
      }
      chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.NONE);
    }
    String name = png.toString();
    if (name.endsWith(".png")) {
      name = name.substring(0, name.length() - 4);
    }
    BitmapEncoder.saveBitmap(chart, name, BitmapEncoder.BitmapFormat.PNG);
  }
}
