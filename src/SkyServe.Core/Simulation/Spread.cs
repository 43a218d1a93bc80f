namespace SkyServe.Core.Simulation;

/// <summary>Mean and population standard deviation (NumPy's <c>np.std</c>) over repeats.</summary>
public sealed record Spread(double Mean, double Sd)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var list = values.Where(value => !double.IsNaN(value)).ToList();
        if (list.Count == 0)
            return new Spread(double.NaN, double.NaN);
        var mean = list.Average();
        return new Spread(mean, Math.Sqrt(list.Sum(value => (value - mean) * (value - mean)) / list.Count));
    }
}
