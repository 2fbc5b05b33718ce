using VoiceBridge.Faults;

namespace VoiceBridge.Tests.Faults;

/// <summary><c>replay --faults</c>: built-in matrices by name, and matrix files with their errors named by line.</summary>
public sealed class FaultMatrixFileTests
{
    [Fact]
    public void A_file_has_one_run_per_line_with_comments_blank_lines_none_and_several_faults_on_a_line()
    {
        const string text = "# hard faults first\r\n\r\nprimary:close@turn2\nnone   # a clean call\n  primary:close@turn2 primary:error@turn4  \n\nprimary:slow:4000@turn1\n";

        var parse = FaultMatrixFile.Parse(text, "suite.txt");

        Assert.True(parse.Ok, parse.Error);
        Assert.Equal(["primary:close@turn2", "none", "primary:close@turn2 primary:error@turn4", "primary:slow:4000@turn1"], parse.Runs.Select(r => r.ToString()));
        Assert.Equal([3, 4, 5, 7], parse.Runs.Select(r => r.Line));
        Assert.Empty(parse.Runs[1].Faults);
        Assert.Equal(2, parse.Runs[2].Faults.Count);
        Assert.Equal(FaultKind.Error, parse.Runs[2].Faults[1].Kind);
    }

    [Theory]
    [InlineData("primary:close@turn2\nprimary:explode@turn2\n", "m.txt:2: fault 'primary:explode@turn2'")]
    [InlineData("\n\n# comment\nprimary:close\nnone primary:close@turn2\n", "m.txt:5: 'none' is a run without faults and stands alone on its line")]
    [InlineData("primary:close@turn2 primary:close@turn2\n", "m.txt:1: fault 'primary:close@turn2' twice on one line")]
    [InlineData("primary:refuse@turn2\n", "m.txt:1: fault 'primary:refuse@turn2': refuse is a connection fault; use @connect")]
    [InlineData("close@turn2\n", "m.txt:1: fault 'close@turn2': expected TARGET:KIND[@WHEN]")]
    [InlineData("# only comments\n\n   \n", "m.txt: no runs")]
    [InlineData("", "m.txt: no runs")]
    public void A_bad_line_is_an_error_naming_the_file_the_line_and_the_problem(string text, string error)
    {
        var parse = FaultMatrixFile.Parse(text, "m.txt");

        Assert.False(parse.Ok);
        Assert.Empty(parse.Runs);
        Assert.StartsWith(error, parse.Error);
    }

    [Fact]
    public void Limits_are_errors_not_exceptions_too_many_faults_on_a_line_an_overlong_spec_a_huge_file()
    {
        var many = string.Join(" ", Enumerable.Range(1, FaultMatrixFile.MaxFaultsPerRun + 1).Select(n => $"primary:close@turn{n}"));
        Assert.StartsWith($"m.txt:1: {FaultMatrixFile.MaxFaultsPerRun + 1} faults on one line", FaultMatrixFile.Parse(many, "m.txt").Error);
        Assert.StartsWith("m.txt:2: a fault spec of 300 characters", FaultMatrixFile.Parse("none\n" + new string('x', 300), "m.txt").Error);
        Assert.Contains("a matrix file is at most", FaultMatrixFile.Parse(new string('#', FaultMatrixFile.MaxBytes + 1), "m.txt").Error);
        var runs = string.Concat(Enumerable.Repeat("none\n", FaultMatrixFile.MaxRuns + 1));
        Assert.StartsWith($"m.txt:{FaultMatrixFile.MaxRuns + 1}: more than {FaultMatrixFile.MaxRuns} runs", FaultMatrixFile.Parse(runs, "m.txt").Error);
    }

    [Theory]
    [InlineData("none", 1)]
    [InlineData("hard", 30)]
    [InlineData("stalls", 16)]
    [InlineData("all", 49)]
    public void A_built_in_name_is_one_run_per_spec_and_none_one_run_without_faults(string name, int runs)
    {
        var parse = FaultMatrixFile.Resolve(name);

        Assert.True(parse.Ok, parse.Error);
        Assert.Equal(runs, parse.Runs.Count);
        Assert.Equal(name == "none" ? [0] : [1], parse.Runs.Select(r => r.Faults.Count).Distinct());
        Assert.All(parse.Runs, r => Assert.All(r.Faults, f => Assert.Equal("primary", f.Target)));
    }

    [Fact]
    public void A_path_is_read_from_disk_and_a_missing_file_is_an_error_naming_it()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vb-matrix-").FullName, "suite.txt");
        File.WriteAllText(path, "primary:error@user2\nnone\n");

        var parse = FaultMatrixFile.Resolve(path);
        var missing = FaultMatrixFile.Resolve(path + ".gone");

        Assert.Equal(["primary:error@user2", "none"], parse.Runs.Select(r => r.ToString()));
        Assert.Equal(path, parse.Source);
        Assert.StartsWith($"{path}.gone: no such matrix file, and not a built-in matrix (none, hard, stalls, all)", missing.Error);
    }
}
