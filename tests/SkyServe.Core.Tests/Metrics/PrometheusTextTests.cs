using SkyServe.Testing;
using SkyServe.Core.Metrics;

namespace SkyServe.Core.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Families_samples_labels_and_numbers_are_written_as_the_format_says()
    {
        var text = new PrometheusText();
        text.Family("x_total", "counter", "Counts \\ things\nacross lines.");
        text.Sample("x_total", 3, ("path", "/a\"b\\c\nd"));
        text.Family("g", "gauge", "A gauge.");
        text.Sample("g", 0.1);
        text.Sample("g", double.PositiveInfinity, ("k", "inf"));
        text.Sample("g", double.NaN, ("k", "nan"));
        text.Sample("g", 1e21, ("k", "big"));

        Assert.Equal("""
            # HELP x_total Counts \\ things\nacross lines.
            # TYPE x_total counter
            x_total{path="/a\"b\\c\nd"} 3
            # HELP g A gauge.
            # TYPE g gauge
            g 0.1
            g{k="inf"} +Inf
            g{k="nan"} NaN
            g{k="big"} 1E+21

            """.ReplaceLineEndings("\n"), text.ToString());
        var scrape = PrometheusScrape.Parse(text.ToString());
        Assert.Equal("/a\"b\\c\nd", scrape.Samples[0].Labels["path"]);
    }

    [Fact]
    public void A_histogram_has_cumulative_buckets_a_sum_and_a_count()
    {
        var histogram = new Histogram([0.1, 1, 10]);
        foreach (var value in new[] { 0.05, 0.1, 0.5, 5, 50 })
            histogram.Observe(value);
        var text = new PrometheusText();
        text.Family("h_seconds", "histogram", "Some durations.");
        histogram.WriteTo(text, "h_seconds", ("model_name", "m"));

        var scrape = PrometheusScrape.Parse(text.ToString());
        Assert.Equal([2.0, 3, 4, 5], scrape.Samples.Where(s => s.Name == "h_seconds_bucket").Select(s => s.Value));
        Assert.Equal(["0.1", "1", "10", "+Inf"], scrape.Samples.Where(s => s.Name == "h_seconds_bucket").Select(s => s.Labels["le"]));
        Assert.Equal(55.65, scrape.Value("h_seconds_sum"), 9);
        Assert.Equal(5, scrape.Value("h_seconds_count"));
    }

    [Fact]
    public void A_counter_only_goes_up()
    {
        var counter = new Counter();
        counter.Add(2.5);
        Parallel.For(0, 1000, _ => counter.Add(1));
        Assert.Equal(1002.5, counter.Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => counter.Add(-1));
    }
}
