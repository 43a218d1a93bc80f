namespace SkyServe.Inference.Tests.Model;

internal static class LogitComparison
{
    /// <summary>The largest |a - b| over a row-major [rows, vocab] array and the expected rows.</summary>
    public static float MaxAbsDifference(float[] actual, IReadOnlyList<float[]> expectedRows)
    {
        var vocab = expectedRows[0].Length;
        Assert.Equal(expectedRows.Count * vocab, actual.Length);
        var max = 0f;
        for (var row = 0; row < expectedRows.Count; row++)
            for (var i = 0; i < vocab; i++)
                max = Math.Max(max, Math.Abs(actual[row * vocab + i] - expectedRows[row][i]));
        return max;
    }

    public static float MaxAbsDifference(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = 0f;
        for (var i = 0; i < actual.Length; i++)
            max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        return max;
    }
}
