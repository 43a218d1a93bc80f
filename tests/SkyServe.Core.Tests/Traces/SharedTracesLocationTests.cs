namespace SkyServe.Core.Tests.Traces;

/// <summary>Without ../shared/traces the trace tests fail saying where the traces were looked for, never silently.</summary>
public sealed class SharedTracesLocationTests
{
    [Fact]
    public void A_missing_traces_folder_is_reported_with_its_path()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SharedTraces.Folder("AWS1", "/nonexistent/shared/traces"));

        Assert.Contains("/nonexistent/shared/traces", error.Message);
        Assert.Contains("../shared/traces beside the checkout", error.Message);
    }

    [Fact]
    public void A_missing_trace_folder_is_reported_with_its_path()
    {
        var root = Path.GetDirectoryName(SharedTraces.Folder("AWS1"))!;

        var error = Assert.Throws<InvalidOperationException>(() => SharedTraces.Folder("AWS9", root));

        Assert.Contains(Path.Combine(root, "AWS9"), error.Message);
    }
}
