using System.Globalization;
using System.Text;
using SkyServe.Core.Simulation;

namespace SkyServe.Cli.Sim;

/// <summary>
/// `--svg DIR`: per scenario, cost against availability per policy (mean, with one standard deviation as error bars), and
/// the READY replicas over time of one repeat per policy. Plain SVG, no dependencies.
/// </summary>
internal static class SvgCharts
{
    private static readonly Dictionary<SimPolicy, string> Colors = new()
    {
        [SimPolicy.OnDemand] = "#7f7f7f",
        [SimPolicy.EvenSpread] = "#d62728",
        [SimPolicy.RoundRobin] = "#ff7f0e",
        [SimPolicy.SpotHedge] = "#1f77b4",
        [SimPolicy.Optimal] = "#2ca02c",
        [SimPolicy.HedgePlus] = "#9467bd",
    };

    public static string FileStem(string trace) => trace.Replace('/', '_').Replace('\\', '_');

    public static IReadOnlyList<string> Write(string folder, string trace, IReadOnlyList<EvaluationRow> rows, int repeat, int targetReplicas)
    {
        Directory.CreateDirectory(folder);
        var stem = FileStem(trace);
        var scatter = Path.Combine(folder, $"{stem}-cost-availability.svg");
        var ready = Path.Combine(folder, $"{stem}-ready.svg");
        File.WriteAllText(scatter, CostAvailability(trace, rows));
        File.WriteAllText(ready, ReadyOverTime(trace, rows, repeat, targetReplicas));
        return [scatter, ready];
    }

    /// <summary>
    /// The y axis zooms on the policies that reach 90% availability (where the comparison is); policies below it are
    /// drawn as triangles on the bottom edge, their values in the legend.
    /// </summary>
    public static string CostAvailability(string trace, IReadOnlyList<EvaluationRow> rows)
    {
        const double width = 780, height = 440, left = 70, right = 300, top = 40, bottom = 55;
        var measured = rows.Where(row => row.HasRuns).ToList();
        var high = measured.Where(row => row.Availability.Mean >= 0.9).ToList();
        var lowest = high.Count == 0 ? 90 : high.Min(row => row.Availability.Mean * 100);
        var minAvailability = Math.Max(0, Math.Min(99, Math.Floor(lowest * 2 - 1) / 2));
        var maxCost = Math.Max(100, Math.Ceiling(measured.Select(r => (r.RelativeCost.Mean + r.RelativeCost.Sd) * 100).DefaultIfEmpty(100).Max() / 10) * 10);
        double X(double cost) => left + cost / maxCost * (width - left - right);
        double Y(double availability) => top + (100 - Math.Max(availability, minAvailability)) / (100 - minAvailability) * (height - top - bottom);

        var svg = Begin(width, height, $"{trace}: cost vs availability (mean, ±1 sd over repeats)");
        Axes(svg, left, top, width - right, height - bottom);
        Label(svg, width - right + 14, top + 4, "policy: availability % / relative cost %", size: 11);
        for (var cost = 0.0; cost <= maxCost + 1e-9; cost += 20)
            Tick(svg, X(cost), height - bottom, $"{cost:0}", vertical: true);
        var step = (100 - minAvailability) / 5;
        for (var availability = minAvailability; availability <= 100 + 1e-9; availability += step)
            Tick(svg, left, Y(availability), availability.ToString(step < 1 ? "0.0" : "0", CultureInfo.InvariantCulture), vertical: false);
        Label(svg, (left + width - right) / 2, height - 12, "cost relative to on-demand only (%)", anchor: "middle");
        svg.AppendLine($"<text x=\"16\" y=\"{F((top + height - bottom) / 2)}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 {F((top + height - bottom) / 2)})\">availability (% of ticks with ≥ N_tar READY)</text>");

        var legend = top + 26;
        foreach (var row in measured)
        {
            var color = Colors[row.Policy];
            var availability = row.Availability.Mean * 100;
            var x = X(row.RelativeCost.Mean * 100);
            var below = availability < minAvailability;
            if (below)
            {
                var y = height - bottom;
                svg.AppendLine($"<path d=\"M{F(x - 6)},{F(y - 2)} L{F(x + 6)},{F(y - 2)} L{F(x)},{F(y - 12)} Z\" fill=\"{color}\"/>");
            }
            else
            {
                var y = Y(availability);
                var x0 = X(Math.Max(0, (row.RelativeCost.Mean - row.RelativeCost.Sd) * 100));
                var x1 = X((row.RelativeCost.Mean + row.RelativeCost.Sd) * 100);
                var y0 = Y(Math.Min(100, (row.Availability.Mean + row.Availability.Sd) * 100));
                var y1 = Y((row.Availability.Mean - row.Availability.Sd) * 100);
                svg.AppendLine($"<line x1=\"{F(x0)}\" y1=\"{F(y)}\" x2=\"{F(x1)}\" y2=\"{F(y)}\" stroke=\"{color}\" stroke-opacity=\"0.5\"/>");
                svg.AppendLine($"<line x1=\"{F(x)}\" y1=\"{F(y0)}\" x2=\"{F(x)}\" y2=\"{F(y1)}\" stroke=\"{color}\" stroke-opacity=\"0.5\"/>");
                svg.AppendLine($"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"5\" fill=\"{color}\"/>");
            }
            svg.AppendLine($"<circle cx=\"{F(width - right + 20)}\" cy=\"{F(legend)}\" r=\"5\" fill=\"{color}\"/>");
            Label(svg, width - right + 30, legend + 4,
                $"{row.PolicyName}: {SimFormat.Percent(row.Availability.Mean)}% / {SimFormat.Percent(row.RelativeCost.Mean, 1)}%{(below ? " (below the axis)" : "")}", size: 11);
            legend += 20;
        }
        return End(svg);
    }

    public static string ReadyOverTime(string trace, IReadOnlyList<EvaluationRow> rows, int repeat, int targetReplicas)
    {
        var runs = rows.Select(row => row.Runs.FirstOrDefault(run => run.Window.Repeat == repeat)).Where(run => run is not null).Select(run => run!).ToList();
        const double width = 900, left = 50, right = 130, top = 40, band = 70, gap = 14;
        var height = top + runs.Count * (band + gap) + 40;
        var ticks = runs.Count == 0 ? 1 : runs.Max(run => run.Trace.Ticks);
        var maxReady = Math.Max(targetReplicas + 1, runs.Select(run => run.Trace.Ready.Max()).DefaultIfEmpty(0).Max());
        double X(int tick) => left + (double)tick / ticks * (width - left - right);

        var svg = Begin(width, height, $"{trace}: READY replicas over time, repeat {repeat}" +
            (runs.Count > 0 ? $" (offset {runs[0].Window.Offset} ticks)" : "") + "; dashed: N_tar");
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var color = Colors[run.Policy];
            var bandTop = top + i * (band + gap);
            double Y(int ready) => bandTop + band - (double)ready / maxReady * band;
            svg.AppendLine($"<rect x=\"{F(left)}\" y=\"{F(bandTop)}\" width=\"{F(width - left - right)}\" height=\"{F(band)}\" fill=\"#f7f7f7\"/>");
            svg.AppendLine($"<line x1=\"{F(left)}\" y1=\"{F(Y(targetReplicas))}\" x2=\"{F(width - right)}\" y2=\"{F(Y(targetReplicas))}\" stroke=\"#444\" stroke-dasharray=\"4 3\" stroke-width=\"0.8\"/>");
            var path = new StringBuilder($"M{F(X(0))},{F(Y(run.Trace.Ready[0]))}");
            for (var t = 1; t < run.Trace.Ticks; t++)
                if (run.Trace.Ready[t] != run.Trace.Ready[t - 1])
                    path.Append($" H{F(X(t))} V{F(Y(run.Trace.Ready[t]))}");
            path.Append($" H{F(X(run.Trace.Ticks))}");
            svg.AppendLine($"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.2\"/>");
            Label(svg, left - 6, Y(0) + 4, "0", size: 10, anchor: "end");
            Label(svg, left - 6, Y(maxReady) + 8, $"{maxReady}", size: 10, anchor: "end");
            Label(svg, width - right + 8, bandTop + band / 2, run.Policy == SimPolicy.Optimal ? "optimal" : SimPolicyNames.Name(run.Policy), size: 12);
            Label(svg, width - right + 8, bandTop + band / 2 + 15,
                $"{SimFormat.Percent(run.Score.Availability)}% / {SimFormat.Percent(run.Score.RelativeCost, 1)}%", size: 10);
        }
        var axis = top + runs.Count * (band + gap);
        for (var hour = 0; hour * 120 <= ticks; hour += 4)
            Label(svg, X(hour * 120), axis + 12, $"{hour} h", size: 10, anchor: "middle");
        return End(svg);
    }

    private static StringBuilder Begin(double width, double height, string title)
    {
        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\" font-family=\"sans-serif\">");
        svg.AppendLine($"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        Label(svg, width / 2, 22, title, size: 14, anchor: "middle");
        return svg;
    }

    private static string End(StringBuilder svg) => svg.AppendLine("</svg>").ToString();

    private static void Axes(StringBuilder svg, double x0, double y0, double x1, double y1)
    {
        svg.AppendLine($"<line x1=\"{F(x0)}\" y1=\"{F(y1)}\" x2=\"{F(x1)}\" y2=\"{F(y1)}\" stroke=\"black\"/>");
        svg.AppendLine($"<line x1=\"{F(x0)}\" y1=\"{F(y0)}\" x2=\"{F(x0)}\" y2=\"{F(y1)}\" stroke=\"black\"/>");
    }

    private static void Tick(StringBuilder svg, double x, double y, string text, bool vertical)
    {
        if (vertical)
        {
            svg.AppendLine($"<line x1=\"{F(x)}\" y1=\"{F(y)}\" x2=\"{F(x)}\" y2=\"{F(y + 5)}\" stroke=\"black\"/>");
            Label(svg, x, y + 18, text, size: 11, anchor: "middle");
        }
        else
        {
            svg.AppendLine($"<line x1=\"{F(x - 5)}\" y1=\"{F(y)}\" x2=\"{F(x)}\" y2=\"{F(y)}\" stroke=\"black\"/>");
            Label(svg, x - 8, y + 4, text, size: 11, anchor: "end");
        }
    }

    private static void Label(StringBuilder svg, double x, double y, string text, int size = 12, string anchor = "start") =>
        svg.AppendLine($"<text x=\"{F(x)}\" y=\"{F(y)}\" font-size=\"{size}\" text-anchor=\"{anchor}\">{Escape(text)}</text>");

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
