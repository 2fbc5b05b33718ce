using System.Text;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Commands;

/// <summary>
/// Bad command lines as users type them, through the built CLI: exit code 2, the parser's line
/// naming the option, a one-line hint, never the whole help, and nothing run.
/// </summary>
public sealed class ParseErrorTests
{
    [Fact]
    public async Task A_mistyped_option_is_refused_with_the_closest_option_instead_of_replayed_as_a_recording()
    {
        var (exit, printed) = await RunAsync("replay", RepoPaths.Fixture("booking-ulaw8k.wav"), "--faultz", "all", "--clock", "virtual");

        Assert.Equal(2, exit);
        Assert.Contains("voicebridge replay: Unknown option '--faultz'; did you mean '--faults'?", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("BAD INPUT", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("calls:", printed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drill", "--server", "http://127.0.0.1:9", "--call", "--CA1", "--fault", "primary:drill", "--token", "--abcdef", "--wait", "1")]
    [InlineData("audit", "--data-dir=--no-such-dir", "--since", "1d")]
    public async Task An_option_value_that_starts_with_dashes_is_the_options_not_an_unknown_option(params string[] arguments)
    {
        var (_, printed) = await RunAsync(arguments);

        Assert.DoesNotContain("Unknown option", printed, StringComparison.Ordinal);
        Assert.DoesNotContain($"try 'voicebridge {arguments[0]} --help'", printed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--parallel", "replay", "x.wav", "--parallel", "abc")]
    [InlineData("'replay'", "replay")]
    [InlineData("--drain-timeout", "serve", "--drain-timeout", "abc")]
    [InlineData("--sincee", "audit", "--sincee", "1d")]
    public async Task A_parse_error_exits_2_with_the_parser_s_line_and_a_hint_not_the_help(string named, params string[] arguments)
    {
        var (exit, printed) = await RunAsync(arguments);

        Assert.Equal(2, exit);
        var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith($"voicebridge {arguments[0]}: ", StringComparison.Ordinal) && l.Contains(named, StringComparison.Ordinal));
        Assert.Equal($"try 'voicebridge {arguments[0]} --help'", lines[^1]);
        Assert.DoesNotContain("Usage:", printed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("http://127.0.0.1:99999")]
    [InlineData("ftp://127.0.0.1:8080")]
    public async Task Serve_refuses_a_listen_url_it_cannot_use_before_starting_anything(string url)
    {
        var (exit, printed) = await RunAsync("serve", "--urls", url, "--sip-listen", "off", "--no-warm-up");

        Assert.Equal(2, exit);
        Assert.Contains($"serve: configuration error: --urls '{url}' is not an http:// or https:// URL", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_on_a_port_in_use_says_so_in_one_line_and_exits_2()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";

        var (exit, printed) = await RunAsync("serve", "--urls", url, "--sip-listen", "off", "--no-warm-up");

        Assert.Equal(2, exit);
        Assert.Contains($"serve: cannot listen on {url}: ", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", printed, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Printed)> RunAsync(params string[] arguments)
    {
        var log = new StringBuilder();
        using var process = VoicebridgeProcess.Launch(arguments, null, log);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, VoicebridgeProcess.Text(log));
    }
}
