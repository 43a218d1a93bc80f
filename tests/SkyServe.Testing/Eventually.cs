using Xunit;

namespace SkyServe.Testing;

/// <summary>Waits for a condition that another process makes true, failing with a description after a deadline.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describeFailure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"not true within {timeout.TotalSeconds:0.#} s: {describeFailure()}");
            await Task.Delay(25);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> describeFailure) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, describeFailure);
}
