using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Model;
using SkyServe.Inference.Serving;
using SkyServe.Inference.Tests.Model;
using SkyServe.Testing;
using Xunit.Abstractions;

namespace SkyServe.Inference.Tests.Checkpoints;

/// <summary>The checkpoint store on real folders: local and HTTP sources, hits, LRU eviction under a quota, damage and bad sources.</summary>
public sealed class CheckpointCacheTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Unlimited = 1L << 40;

    private readonly TempDirectory temp = new();
    private readonly List<string> logLines = [];
    private ModelFileServer server = null!;

    private string CacheRoot => Path.Combine(temp.Path, "cache");

    public async Task InitializeAsync() => server = await ModelFileServer.StartAsync();

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        temp.Dispose();
    }

    private CheckpointCache NewCache(long quota = Unlimited, string? token = null) =>
        new(CacheRoot, quota, LoopbackHttp.NewClient(), line =>
        {
            lock (logLines)
                logLines.Add(line);
            output.WriteLine(line);
        })
        {
            BearerTokenFor = _ => token,
        };

    private static long EntryBytes(CachedModel model) => new DirectoryInfo(model.Directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>Greedy tokens of the fixture's first prompt from the model at <paramref name="directory"/> equal transformers'.</summary>
    private static void AssertServesFixture(string directory, string fixtureName)
    {
        var fixture = ReferenceFixture.Load(fixtureName);
        using var model = CpuLlamaModel.Load(directory, out var load);
        Assert.Equal(WeightLayout.Packed, load.Layout);
        var run = GreedyRun.Alone(model, fixture.Cases[0].Ids, fixture.Cases[0].Greedy.Length);
        Assert.Equal(fixture.Cases[0].Greedy, run.Tokens);
    }

    [Fact]
    public void A_local_folder_is_converted_once_then_served_from_the_cache()
    {
        var cache = NewCache();
        var source = ModelSource.Parse(ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "llama"));
        using (var first = cache.Acquire(source))
        {
            Assert.Equal(CacheOutcome.Miss, first.Outcome);
            Assert.StartsWith(Path.Combine(CacheRoot, "entries", "llama-"), first.Directory);
            Assert.True(File.Exists(Path.Combine(first.Directory, PackedCheckpointFormat.FileName)));
            Assert.False(Directory.EnumerateFiles(first.Directory, "*.safetensors").Any());
            AssertServesFixture(first.Directory, ReferenceFixture.Llama);
        }
        using var second = cache.Acquire(source);
        Assert.Equal(CacheOutcome.Hit, second.Outcome);
        Assert.Single(cache.Entries());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(CacheRoot, "tmp")));
    }

    [Fact]
    public void Changing_the_local_model_makes_a_new_entry()
    {
        var cache = NewCache();
        var folder = ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "llama");
        using (cache.Acquire(ModelSource.Parse(folder)))
        {
        }
        File.SetLastWriteTimeUtc(Path.Combine(folder, "model.safetensors"), DateTime.UtcNow.AddMinutes(1));
        using var again = cache.Acquire(ModelSource.Parse(folder));
        Assert.Equal(CacheOutcome.Miss, again.Outcome);
        Assert.Equal(2, cache.Entries().Count);
    }

    [Fact]
    public async Task An_http_folder_with_a_manifest_is_fetched_once_and_a_hit_asks_only_for_the_manifest()
    {
        var folder = ModelFolders.Copy(ReferenceFixture.Qwen2, temp.Path, "qwen");
        ModelManifest.Write(folder);
        var url = server.Serve("qwen", folder);
        var cache = NewCache();

        using (var first = await cache.AcquireAsync(ModelSource.Parse(url.AbsoluteUri)))
        {
            Assert.Equal(CacheOutcome.Miss, first.Outcome);
            Assert.Equal(new FileInfo(Path.Combine(folder, "model.safetensors")).Length + new DirectoryInfo(folder).EnumerateFiles("*.json").Where(f => f.Name != ModelManifest.FileName).Sum(f => f.Length),
                first.DownloadedBytes);
            AssertServesFixture(first.Directory, ReferenceFixture.Qwen2);
        }
        var before = server.TotalGets;
        using var second = await cache.AcquireAsync(ModelSource.Parse(url.AbsoluteUri));
        Assert.Equal(CacheOutcome.Hit, second.Outcome);
        Assert.Equal(1, server.Gets("qwen", "model.safetensors"));
        Assert.Equal(before + 1, server.TotalGets); // the manifest, to see whether the model changed
        Assert.Equal(2, server.Gets("qwen", ModelManifest.FileName));
    }

    [Fact]
    public async Task An_http_folder_in_the_hubs_sharded_layout_needs_no_manifest()
    {
        var folder = ModelFolders.Sharded(ReferenceFixture.Llama, temp.Path, "sharded");
        var url = server.Serve("sharded", folder);
        using var model = await NewCache().AcquireAsync(ModelSource.Parse(url.AbsoluteUri));
        Assert.Equal(CacheOutcome.Miss, model.Outcome);
        Assert.Equal(1, server.Gets("sharded", "model-00001-of-00002.safetensors"));
        Assert.Equal(1, server.Gets("sharded", "model-00002-of-00002.safetensors"));
        Assert.True(File.Exists(Path.Combine(model.Directory, "chat_template.jinja")));
        AssertServesFixture(model.Directory, ReferenceFixture.Llama);
    }

    [Theory]
    [InlineData(Fault.Corrupt, true)]
    [InlineData(Fault.Truncate, true)]
    [InlineData(Fault.Unavailable, true)]
    [InlineData(Fault.Truncate, false)]
    public async Task A_damaged_download_is_detected_and_fetched_again(Fault fault, bool withManifest)
    {
        var folder = ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "llama");
        if (withManifest)
            ModelManifest.Write(folder);
        var url = server.Serve("llama", folder);
        server.Faults = (path, attempt) => path == "llama/model.safetensors" && attempt == 1 ? fault : Fault.None;

        using var model = await NewCache().AcquireAsync(ModelSource.Parse(url.AbsoluteUri));
        Assert.Equal(2, server.Gets("llama", "model.safetensors"));
        Assert.Contains(logLines, line => line.Contains("fetching") && line.Contains("again"));
        AssertServesFixture(model.Directory, ReferenceFixture.Llama);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_broken_transfer_resumes_where_it_stopped(bool withManifest)
    {
        // Four breaks in a row, each further along: more than the attempts a fruitless transfer gets, yet none is wasted.
        var folder = ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "llama");
        if (withManifest)
            ModelManifest.Write(folder); // SHA-256 checks the joined file; without, the ETag guards the resumption (If-Range)
        var url = server.Serve("llama", folder);
        server.Faults = (path, attempt) => path == "llama/model.safetensors" && attempt <= 4 ? Fault.Truncate : Fault.None;

        using var model = await NewCache().AcquireAsync(ModelSource.Parse(url.AbsoluteUri));
        // Each resumption asks from the byte where the previous transfer stopped (the server sends half of what is left,
        // then aborts; how much of that arrives before the abort varies, so the positions are read from the log).
        var gets = server.Requests.Where(r => r.Request == "GET /models/llama/model.safetensors").ToList();
        Assert.Equal(5, gets.Count);
        Assert.Equal("-", gets[0].Range);
        var resumedFrom = logLines.Where(line => line.Contains("model.safetensors again from byte "))
            .Select(line => long.Parse(line.Split("again from byte ")[1].Split(':')[0])).ToList();
        Assert.Equal(resumedFrom.Select(start => $"bytes={start}-"), gets.Skip(1).Select(g => g.Range));
        Assert.True(resumedFrom[0] > 0 && resumedFrom.Zip(resumedFrom.Skip(1)).All(pair => pair.First <= pair.Second) && resumedFrom[^1] > resumedFrom[0],
            string.Join(", ", resumedFrom));
        AssertServesFixture(model.Directory, ReferenceFixture.Llama);
    }

    [Fact]
    public async Task A_private_source_gets_the_token_and_the_cdn_it_redirects_to_does_not()
    {
        var url = server.Serve("llama", ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "llama"));
        server.RequiredToken = "hf_secret";
        server.RedirectWeights = true;

        var refused = await Assert.ThrowsAsync<CheckpointException>(() => NewCache().AcquireAsync(ModelSource.Parse(url.AbsoluteUri)));
        Assert.Contains("HTTP 401", refused.Message);
        Assert.Contains(ModelSourceToken.Variable, refused.Message);
        Assert.Contains(ModelSourceToken.HuggingFaceVariable, refused.Message);

        server.Requests.Clear();
        using var model = await NewCache(token: "hf_secret").AcquireAsync(ModelSource.Parse(url.AbsoluteUri));
        Assert.All(server.Requests.Where(r => r.Request.Contains("/models/")), r => Assert.Equal("Bearer hf_secret", r.Authorization));
        Assert.Contains(server.Requests, r => r.Request == "GET /cdn/llama/model.safetensors");
        Assert.All(server.Requests.Where(r => r.Request.Contains("/cdn/")), r => Assert.Equal("-", r.Authorization));
        AssertServesFixture(model.Directory, ReferenceFixture.Llama);
    }

    [Fact]
    public void The_token_comes_from_SKYSERVE_MODEL_TOKEN_or_for_the_hub_from_HF_TOKEN()
    {
        var both = new Dictionary<string, string?> { [ModelSourceToken.Variable] = "sky", [ModelSourceToken.HuggingFaceVariable] = "hf" };
        var hubOnly = new Dictionary<string, string?> { [ModelSourceToken.HuggingFaceVariable] = "hf" };
        Assert.Equal("sky", ModelSourceToken.For(new Uri("https://models.example.com/m/"), name => both.GetValueOrDefault(name)));
        Assert.Equal("hf", ModelSourceToken.For(new Uri("https://huggingface.co/org/m/resolve/main/"), name => hubOnly.GetValueOrDefault(name)));
        Assert.Equal("hf", ModelSourceToken.For(new Uri("https://eu.huggingface.co/org/m/"), name => hubOnly.GetValueOrDefault(name)));
        Assert.Null(ModelSourceToken.For(new Uri("https://models.example.com/m/"), name => hubOnly.GetValueOrDefault(name))); // HF_TOKEN stays with the Hub
        Assert.Null(ModelSourceToken.For(new Uri("https://nothuggingface.co/m/"), name => hubOnly.GetValueOrDefault(name)));
    }

    [Fact]
    public async Task A_download_that_never_checks_out_fails_clearly_and_leaves_nothing_behind()
    {
        var folder = ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "llama");
        ModelManifest.Write(folder);
        var url = server.Serve("llama", folder);
        server.Faults = (path, _) => path == "llama/model.safetensors" ? Fault.Corrupt : Fault.None;

        var cache = NewCache();
        var error = await Assert.ThrowsAsync<CheckpointException>(() => cache.AcquireAsync(ModelSource.Parse(url.AbsoluteUri)));
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("SHA-256", error.Message);
        Assert.Contains($"{HttpModelFetcher.Attempts} attempts", error.Message);
        Assert.Equal(HttpModelFetcher.Attempts, server.Gets("llama", "model.safetensors"));
        Assert.Empty(cache.Entries());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(CacheRoot, "tmp")));
    }

    [Fact]
    public void A_damaged_cache_entry_is_noticed_and_rebuilt()
    {
        var cache = NewCache();
        var source = ModelSource.Parse(ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "llama"));
        string packed;
        using (var first = cache.Acquire(source))
            packed = Path.Combine(first.Directory, PackedCheckpointFormat.FileName);
        using (var stream = new FileStream(packed, FileMode.Open))
            stream.SetLength(stream.Length / 2); // e.g. a disk that filled up under someone's copy

        using var again = cache.Acquire(source);
        Assert.Equal(CacheOutcome.Miss, again.Outcome);
        Assert.Contains(logLines, line => line.Contains("damaged"));
        AssertServesFixture(again.Directory, ReferenceFixture.Llama);
    }

    [Fact]
    public void Over_the_quota_the_least_recently_used_entry_is_evicted()
    {
        var a = ModelSource.Parse(ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "a"));
        var b = ModelSource.Parse(ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "b"));
        var c = ModelSource.Parse(ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "c"));
        long entryBytes;
        using (var probe = NewCache().Acquire(a))
            entryBytes = EntryBytes(probe);
        var cache = NewCache(quota: entryBytes * 2 + entryBytes / 2); // room for two entries, not three

        using (cache.Acquire(b))
        {
        }
        Thread.Sleep(20);
        using (var hit = cache.Acquire(a)) // a is now more recent than b
            Assert.Equal(CacheOutcome.Hit, hit.Outcome);
        using (var third = cache.Acquire(c))
            Assert.Equal(CacheOutcome.Miss, third.Outcome);

        var keys = cache.Entries().Select(entry => entry.Key).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Contains(keys, key => key.StartsWith("a-"));
        Assert.Contains(keys, key => key.StartsWith("c-"));
        Assert.Contains(logLines, line => line.StartsWith("evicted b-"));
        Assert.True(cache.Entries().Sum(entry => entry.Bytes) <= cache.QuotaBytes);
    }

    [Fact]
    public void The_model_in_use_is_never_evicted()
    {
        var a = ModelSource.Parse(ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "a"));
        var b = ModelSource.Parse(ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "b"));
        long entryBytes;
        using (var probe = NewCache().Acquire(a))
            entryBytes = EntryBytes(probe);
        var cache = NewCache(quota: entryBytes + entryBytes / 2); // room for one

        using (var inUse = cache.Acquire(a))
        {
            var error = Assert.Throws<CheckpointException>(() => cache.Acquire(b));
            Assert.Contains("held by models in use", error.Message);
            Assert.True(File.Exists(Path.Combine(inUse.Directory, PackedCheckpointFormat.FileName)));
        }
        using var afterwards = cache.Acquire(b); // a is no longer in use: it goes
        Assert.Equal(CacheOutcome.Miss, afterwards.Outcome);
        Assert.Equal("b-", Assert.Single(cache.Entries()).Key[..2]);
    }

    [Fact]
    public void A_model_larger_than_the_quota_is_refused_before_conversion()
    {
        var cache = NewCache(quota: 1000);
        var error = Assert.Throws<CheckpointException>(() => cache.Acquire(ModelSource.Parse(ModelFolders.Fixture(ReferenceFixture.Llama))));
        Assert.Contains("more than its quota", error.Message);
        Assert.Empty(cache.Entries());
    }

    [Fact]
    public async Task Two_fetches_of_one_model_at_once_download_it_once_and_share_the_entry()
    {
        var folder = ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "llama");
        ModelManifest.Write(folder);
        var url = server.Serve("llama", folder);
        server.Slow = (".safetensors", TimeSpan.FromMilliseconds(500));

        // Two caches on one folder, as two agent processes would have: the lock files are what they share.
        var models = await Task.WhenAll(
            Task.Run(() => NewCache().AcquireAsync(ModelSource.Parse(url.AbsoluteUri))),
            Task.Run(() => NewCache().AcquireAsync(ModelSource.Parse(url.AbsoluteUri))));
        try
        {
            Assert.Equal(1, server.Gets("llama", "model.safetensors"));
            Assert.Equal([CacheOutcome.Hit, CacheOutcome.Miss], models.Select(model => model.Outcome).Order());
            Assert.Equal(models[0].Directory, models[1].Directory);
            Assert.Contains(logLines, line => line.StartsWith("waiting for another process"));
            AssertServesFixture(models[0].Directory, ReferenceFixture.Llama);
        }
        finally
        {
            foreach (var model in models)
                model.Dispose();
        }
    }

    [Fact]
    public async Task Bad_sources_fail_with_clear_errors()
    {
        var cache = NewCache();
        async Task<string> Error(string model) => (await Assert.ThrowsAsync<CheckpointException>(() => cache.AcquireAsync(ModelSource.Parse(model)))).Message;

        Assert.Contains("does not exist", await Error(Path.Combine(temp.Path, "no-such-model")));
        Assert.Contains("not a model folder", await Error(new Uri(server.BaseUrl, "models/nothing/").AbsoluteUri));
        var refused = $"http://127.0.0.1:{FreePort.Next()}/models/x/";
        Assert.Contains($"cannot fetch {refused}{ModelManifest.FileName}", await Error(refused));

        var noTokenizer = ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "no-tokenizer");
        File.Delete(Path.Combine(noTokenizer, "tokenizer.json"));
        Assert.Contains("tokenizer.json: HTTP 404", await Error(server.Serve("no-tokenizer", noTokenizer).AbsoluteUri));

        var escaping = Path.Combine(temp.Path, "escaping");
        Directory.CreateDirectory(escaping);
        File.WriteAllText(Path.Combine(escaping, ModelManifest.FileName), """{"files": [{"path": "../secret", "size": 1, "sha256": "00"}]}""");
        Assert.Contains("not a relative file path", await Error(server.Serve("escaping", escaping).AbsoluteUri));

        Assert.Throws<CheckpointException>(() => ModelSource.Parse("http://host/model?revision=main"));
        Assert.Empty(cache.Entries());
    }

    [Fact]
    public void The_engine_reports_how_it_loaded()
    {
        var cache = NewCache();
        var folder = ModelFolders.Copy(ReferenceFixture.Qwen2, temp.Path, "qwen");
        using (var first = InferenceEngine.Load(folder, null, 4, cache))
        {
            var report = first.LoadReport;
            Assert.Equal("qwen", first.Name);
            Assert.Equal(CacheOutcome.Miss, report.Cache);
            Assert.Equal(WeightLayout.Packed, report.Layout);
            Assert.True(report.Convert > TimeSpan.Zero);
            Assert.Equal(new FileInfo(Path.Combine(folder, "model.safetensors")).Length, report.WeightBytes, tolerance: 4096); // the BF16 data as stored, without the header
            Assert.True(report.WeightGigabytesPerSecond > 0);
            output.WriteLine(report.Describe());
        }
        using var second = InferenceEngine.Load(folder, null, 4, cache);
        Assert.Equal(CacheOutcome.Hit, second.LoadReport.Cache);
        Assert.Contains("cache hit", second.LoadReport.Describe());
        Assert.Contains("GB/s", second.LoadReport.Describe());

        using var inPlace = InferenceEngine.Load(folder, null, 4);
        Assert.Equal(CacheOutcome.NotCached, inPlace.LoadReport.Cache);
        Assert.Equal(WeightLayout.Safetensors, inPlace.LoadReport.Layout);
        Assert.Equal(second.LoadReport.WeightBytes, inPlace.LoadReport.WeightBytes);
    }
}
