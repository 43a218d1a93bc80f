using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using SkyServe.Inference.Model;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.ReplicaAgent.Metrics;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests.Metrics;

/// <summary>GET /metrics of the agent's host over real loopback HTTP, scraped and parsed around real completions of the tiny-llama fixture.</summary>
public sealed class MetricsEndpointTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string Model = Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");
    private const double PeakGbps = 200;
    private const double PeakTflops = 1;

    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(AgentOptions options)
    {
        var app = AgentHost.Build(options, statusOutput: TextWriter.Null);
        await app.StartAsync();
        return (app, LoopbackHttp.NewClient(new Uri(app.Urls.First())));
    }

    private static async Task<PrometheusScrape> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return PrometheusScrape.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Counters_and_histograms_follow_real_completions_and_MBU_is_a_fraction()
    {
        var (app, client) = await StartAsync(new AgentOptions
        {
            Port = 0, ModelDirectory = Model, MachineId = "metrics-test", PeakBandwidthGbps = PeakGbps, PeakTflops = PeakTflops,
        });
        await using var _ = app;
        using var __ = client;
        var before = await ScrapeAsync(client);
        Assert.Equal(0, before.Value("skyserve_prompt_tokens_total"));
        Assert.Equal(0, before.Value("skyserve_time_to_first_token_seconds_count"));

        // Three completions at once (they share decode steps) and one streamed chat, all to max_tokens.
        var completions = new[] { 5, 9, 14 }.Select(n => client.PostAsJsonAsync("/v1/completions",
            new { prompt = $"Once upon a time there were {n} cats", max_tokens = n, temperature = 0, ignore_eos = true }));
        var usages = new List<JsonNode>();
        foreach (var response in await Task.WhenAll(completions))
            usages.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["usage"]!);
        using var chat = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            messages = new[] { new { role = "user", content = "Hello there!" } }, max_tokens = 7, ignore_eos = true, stream = true,
            stream_options = new { include_usage = true },
        });
        var lastChunk = (await chat.Content.ReadAsStringAsync()).Split("\n\n").Where(e => e.StartsWith("data: {")).Last();
        usages.Add(JsonNode.Parse(lastChunk["data: ".Length..])!["usage"]!);

        var after = await ScrapeAsync(client);
        Assert.Equal(usages.Sum(u => u["prompt_tokens"]!.GetValue<int>()), after.Value("skyserve_prompt_tokens_total"));
        Assert.Equal(usages.Sum(u => u["completion_tokens"]!.GetValue<int>()), after.Value("skyserve_generation_tokens_total"));
        Assert.Equal(5 + 9 + 14 + 7, after.Value("skyserve_generation_tokens_total"));
        Assert.Equal(4, after.Value("skyserve_request_success_total", ("finished_reason", "length")));
        foreach (var histogram in new[] { "skyserve_time_to_first_token_seconds", "skyserve_time_per_output_token_seconds", "skyserve_e2e_request_latency_seconds" })
        {
            Assert.Equal("histogram", after.Types[histogram]);
            Assert.Equal(4, after.Value(histogram + "_count"));
            Assert.True(after.Value(histogram + "_sum") > 0, histogram);
            Assert.Equal(4, after.Value(histogram + "_bucket", ("le", "+Inf")));
        }
        Assert.True(after.Value("skyserve_e2e_request_latency_seconds_sum") > after.Value("skyserve_time_to_first_token_seconds_sum"));
        Assert.Equal(0, after.Value("skyserve_num_requests_running"));
        Assert.Equal(0, after.Value("skyserve_num_requests_waiting"));
        Assert.Equal(0, after.Value("skyserve_kv_cache_usage_tokens"));
        Assert.Equal(32 * 256, after.Value("skyserve_kv_cache_capacity_tokens"));

        // The model: its parameters are the checkpoint's, and loading read the checkpoint.
        using (var checkpoint = SafetensorsFile.Open(Path.Combine(Model, "model.safetensors")))
            Assert.Equal(checkpoint.Tensors.Values.Sum(t => t.ElementCount), after.Value("skyserve_model_parameters", ("kind", "total")));
        // Tensor bytes only: the file's header (its JSON index) is not weights.
        using (var checkpoint = SafetensorsFile.Open(Path.Combine(Model, "model.safetensors")))
            Assert.Equal(checkpoint.Tensors.Values.Sum(t => t.ByteLength), after.Value("skyserve_model_load_bytes"));
        Assert.True(after.Value("skyserve_model_load_seconds") > 0);
        Assert.True(after.Value("skyserve_model_load_bytes_per_second") > 0);
        Assert.Equal(PeakGbps * 1e9, after.Value("skyserve_device_peak_memory_bandwidth_bytes_per_second", ("source", "flag")));
        Assert.Equal(PeakTflops * 1e12, after.Value("skyserve_device_peak_flops", ("source", "flag")));

        // MBU and MFU: fractions, and exactly what the byte, FLOP and time counters say (fewer steps than the window).
        var mbu = after.Value("skyserve_model_bandwidth_utilization");
        var mfu = after.Value("skyserve_model_flops_utilization");
        Assert.InRange(mbu, double.Epsilon, 1);
        Assert.InRange(mfu, double.Epsilon, 1);
        var decodeSeconds = after.Value("skyserve_engine_step_seconds_total", ("phase", "decode"));
        Assert.True(after.Value("skyserve_engine_steps_total", ("phase", "decode")) is > 0 and < EngineMetrics.Window);
        Assert.Equal(after.Value("skyserve_engine_decode_bytes_read_total") / decodeSeconds / (PeakGbps * 1e9), mbu, 6);
        var allSeconds = decodeSeconds + after.Value("skyserve_engine_step_seconds_total", ("phase", "mixed"));
        Assert.Equal(after.Value("skyserve_engine_flops_total") / allSeconds / (PeakTflops * 1e12), mfu, 6);
        var streamed = after.Value("skyserve_model_parameters", ("kind", "streamed"));
        Assert.Equal(2 * streamed * (usages.Sum(u => u["prompt_tokens"]!.GetValue<int>() + u["completion_tokens"]!.GetValue<int>()) - 4),
            after.Value("skyserve_engine_flops_total")); // every prompt token and every generated token but the last went through a step

        Assert.True(after.Value("skyserve_agent_http_requests_total", ("route", "/v1/completions"), ("method", "POST"), ("code", "200")) >= 3);
        Assert.Equal(1, after.Value("skyserve_agent_info", ("engine", "cpu"), ("model_name", "tiny-llama"), ("machine_id", "metrics-test")));
        await app.StopAsync();
    }

    [Fact]
    public async Task Bandwidth_is_counted_in_the_precision_the_engine_holds_the_weights()
    {
        // tiny-chat is bfloat16: its matrices stay bfloat16 (2 bytes) in the engine, its norms become float32 (4 bytes).
        var model = Path.Combine(RepoPaths.Root, "models", "tiny-chat");
        var (app, client) = await StartAsync(new AgentOptions
        {
            Port = 0, ModelDirectory = model, MachineId = "metrics-bf16", PeakBandwidthGbps = PeakGbps, PeakTflops = PeakTflops,
        });
        await using var _ = app;
        using var __ = client;
        var scrape = await ScrapeAsync(client);

        using var checkpoint = SafetensorsFile.Open(Path.Combine(model, "model.safetensors"));
        var streamedTensors = checkpoint.Tensors.Values.Where(t => t.Name.StartsWith("model.layers.", StringComparison.Ordinal)
            || t.Name == "model.norm.weight" || t.Name == "model.embed_tokens.weight").ToList(); // tied: the embedding is lm_head
        Assert.All(streamedTensors, t => Assert.Equal("BF16", t.DType));
        var expected = streamedTensors.Sum(t => t.ElementCount * (t.Shape.Count == 1 ? sizeof(float) : 2L));
        Assert.Equal(expected, scrape.Value("skyserve_model_streamed_weight_bytes"));
        Assert.Equal(streamedTensors.Sum(t => t.ElementCount), scrape.Value("skyserve_model_parameters", ("kind", "streamed")));
        await app.StopAsync();
    }

    [Fact]
    public async Task Without_a_model_the_agent_reports_its_state_and_requests_and_an_interruption()
    {
        await using var imds = await ImdsEmulator.StartAsync("m-metrics");
        var (app, client) = await StartAsync(new AgentOptions
        {
            Port = 0, MachineId = "m-metrics", MetadataUrl = imds.BaseUrl, MetadataPollInterval = TimeSpan.FromMilliseconds(100),
        });
        await using var _ = app;
        using var __ = client;
        await client.GetAsync("/ready");
        await client.PostAsync("/anything/at/all", new StringContent("x"));

        var scrape = await ScrapeAsync(client);
        Assert.Equal(1, scrape.Value("skyserve_agent_info", ("engine", "none")));
        Assert.Equal(1, scrape.Value("skyserve_agent_ready"));
        Assert.Equal(0, scrape.Value("skyserve_agent_interrupted"));
        Assert.Null(scrape.Find("skyserve_agent_interruption_deadline_seconds"));
        Assert.Equal(1, scrape.Value("skyserve_agent_http_requests_total", ("route", "/ready"), ("method", "GET"), ("code", "200")));
        Assert.Equal(1, scrape.Value("skyserve_agent_http_requests_total", ("route", "/{**path}"), ("method", "POST"), ("code", "200")));
        Assert.DoesNotContain(scrape.Types.Keys, name => name.StartsWith("skyserve_prompt", StringComparison.Ordinal));

        imds.SetNotice("terminate", "2026-03-01T12:00:00Z");
        await Eventually.TrueAsync(async () => (await ScrapeAsync(client)).Value("skyserve_agent_interrupted") == 1, TimeSpan.FromSeconds(10), () => "no notice");
        scrape = await ScrapeAsync(client);
        Assert.Equal(0, scrape.Value("skyserve_agent_ready"));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(),
            scrape.Value("skyserve_agent_interruption_deadline_seconds", ("source", "aws"), ("kind", "preemption")));
        Assert.True(scrape.Value("skyserve_agent_http_requests_total", ("route", "/metrics"), ("method", "GET"), ("code", "200")) >= 1);
        await app.StopAsync();
    }

    [Fact]
    public async Task Without_flags_the_peaks_are_measured_at_start_up()
    {
        var (app, client) = await StartAsync(new AgentOptions { Port = 0, ModelDirectory = Model, MachineId = "metrics-measured" });
        await using var _ = app;
        using var __ = client;
        (await client.PostAsJsonAsync("/v1/completions", new { prompt = "Hi", max_tokens = 8, ignore_eos = true })).EnsureSuccessStatusCode();

        var scrape = await ScrapeAsync(client);
        var bandwidth = scrape.Value("skyserve_device_peak_memory_bandwidth_bytes_per_second", ("source", "measured"));
        var flops = scrape.Value("skyserve_device_peak_flops", ("source", "measured"));
        Assert.InRange(bandwidth, 1e8, 1e13); // 0.1 GB/s to 10 TB/s
        Assert.InRange(flops, 1e8, 1e15);
        Assert.True(scrape.Value("skyserve_model_bandwidth_utilization") > 0);
        Assert.True(scrape.Value("skyserve_model_flops_utilization") > 0);
        output.WriteLine($"measured peaks: {bandwidth / 1e9:0.0} GB/s, {flops / 1e9:0.0} GFLOP/s; tiny-llama MBU {scrape.Value("skyserve_model_bandwidth_utilization"):0.0000}, MFU {scrape.Value("skyserve_model_flops_utilization"):0.0000}");
        await app.StopAsync();
    }
}
