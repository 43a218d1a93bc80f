using System.CommandLine;
using SkyServe.Core.Spec;

namespace SkyServe.Cli.Commands;

/// <summary>`skyserve validate FILE [--json]`: checks a spec locally; no controller needed.</summary>
public static class ValidateCommand
{
    public static Command Build()
    {
        var file = new Argument<FileInfo>("file") { Description = "Service spec (YAML or JSON)" };
        var json = new Option<bool>("--json") { Description = "Print the effective spec with every default applied" };
        var command = new Command("validate", "Parse and validate a service spec locally") { file, json };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var result = ServiceSpecParser.TryParse(SpecFile.Read(path));
            if (!result.IsValid)
            {
                Console.Error.WriteLine($"{path.Name}: invalid service spec");
                foreach (var error in result.Errors)
                    Console.Error.WriteLine($"  {error}");
                return 1;
            }
            Console.WriteLine(parse.GetValue(json) ? EffectiveSpecJson.Write(result.Spec!) : $"{path.Name}: valid");
            return 0;
        });
        return command;
    }
}
