using VoiceBridge.Security;

namespace VoiceBridge.Tests.Security;

/// <summary><c>--secrets FILE</c>: KEY=VALUE lines, refused when others can read it, errors that never show a value.</summary>
public sealed class SecretsFileTests
{
    [Fact]
    public void Pairs_comments_quotes_and_crlf_are_read_in_order()
    {
        var pairs = SecretsFile.Parse("# provider keys\r\nOPENAI_API_KEY=sk-abc=def\r\n\r\n  TWILIO_AUTH_TOKEN = \"quoted value\"\nEMPTY_OK='x'\n", "s.env", out var error);

        Assert.Null(error);
        Assert.Equal(
            [KeyValuePair.Create("OPENAI_API_KEY", "sk-abc=def"), KeyValuePair.Create("TWILIO_AUTH_TOKEN", "quoted value"), KeyValuePair.Create("EMPTY_OK", "x")],
            pairs!);
    }

    [Theory]
    [InlineData("JUST_A_NAME\n", "line 1: expected KEY=VALUE")]
    [InlineData("A=1\n9BAD=sk-secret-value\n", "line 2: expected KEY=VALUE")]
    [InlineData("A=1\nA=sk-secret-value\n", "line 2: A is set twice")]
    [InlineData("A=\n", "line 1: A has no value")]
    public void Bad_lines_are_named_by_number_never_by_value(string text, string problem)
    {
        Assert.Null(SecretsFile.Parse(text, "s.env", out var error));
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret-value", error, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_file_others_can_read_is_refused_and_a_private_one_taken()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("voicebridge-secrets-").FullName, "secrets.env");
        File.WriteAllText(path, "VOICEBRIDGE_TEST_SECRET=sk-never-shown\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        Assert.Null(SecretsFile.Read(path, out var error));
        Assert.Contains("chmod 600", error, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-never-shown", error, StringComparison.Ordinal);

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var pairs = SecretsFile.Read(path, out error);
        Assert.Null(error);
        Assert.Single(pairs!);
    }

    [Fact]
    public void The_environment_wins_over_the_file()
    {
        var environment = new Dictionary<string, string> { ["SET_ALREADY"] = "from-env" };
        var taken = SecretsFile.Apply(
            [KeyValuePair.Create("SET_ALREADY", "from-file"), KeyValuePair.Create("NEW_ONE", "from-file")],
            environment.GetValueOrDefault,
            (k, v) => environment[k] = v);

        Assert.Equal(["NEW_ONE"], taken);
        Assert.Equal("from-env", environment["SET_ALREADY"]);
        Assert.Equal("from-file", environment["NEW_ONE"]);
    }
}
