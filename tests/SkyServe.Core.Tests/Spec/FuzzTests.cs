using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

/// <summary>TryParse must answer every input with a result, never an exception.</summary>
public sealed class FuzzTests
{
    private static readonly string ExamplesFolder = Path.Combine(RepositoryRoot.Path, "config", "examples");

    [Fact]
    public void Every_truncation_of_every_example_is_answered()
    {
        foreach (var file in Directory.EnumerateFiles(ExamplesFolder, "*.yaml"))
        {
            var text = File.ReadAllText(file);
            for (var length = 0; length <= text.Length; length++)
                AssertAnswered(text[..length]);
        }
    }

    [Fact]
    public void Random_edits_of_the_examples_are_answered()
    {
        var random = new Random(20250101);
        const string alphabet = " \t\n:-[]{},'\"#&*!|>?%@`abcxyz0129.~\\";
        foreach (var file in Directory.EnumerateFiles(ExamplesFolder, "*.yaml"))
        {
            var text = File.ReadAllText(file);
            for (var round = 0; round < 300; round++)
            {
                var chars = text.ToCharArray();
                for (var edit = 0; edit < 1 + random.Next(4); edit++)
                    chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                AssertAnswered(new string(chars));
            }
        }
    }

    [Fact]
    public void Random_garbage_is_answered()
    {
        var random = new Random(42);
        for (var round = 0; round < 2000; round++)
        {
            var bytes = new char[random.Next(1, 200)];
            for (var index = 0; index < bytes.Length; index++)
                bytes[index] = (char)random.Next(0, 0x3000);
            AssertAnswered(new string(bytes));
        }
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("\uFEFF")]
    [InlineData("{")]
    [InlineData("}")]
    [InlineData("[[[[[[")]
    [InlineData("service: [")]
    [InlineData("service: {readiness_probe: [")]
    [InlineData("&a [*a]")]
    [InlineData("!!binary foo")]
    [InlineData("service: !!int abc")]
    [InlineData("? ? ? ?")]
    [InlineData("service:\n  replica_policy:\n    min_replicas: 1e400\n")]
    [InlineData("%YAML 1.1\n%YAML 1.1\n---\na: 1")]
    public void Odd_inputs_are_answered(string text)
    {
        AssertAnswered(text);
    }

    private static void AssertAnswered(string text)
    {
        var result = ServiceSpecParser.TryParse(text);
        Assert.True(result.IsValid ^ result.Errors.Count > 0, "a result is either a spec or errors: " + text);
        Assert.DoesNotContain(result.Errors, error => error.Message.StartsWith("the spec could not be read", StringComparison.Ordinal));
        Assert.All(result.Errors, error => Assert.True(error.Line >= 1 && error.Column >= 1));
    }
}
