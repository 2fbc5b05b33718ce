using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace VoiceBridge.Tests.Support;

/// <summary>
/// A private, real Redis server for a test: Debian's <c>redis-server</c> on a free loopback port,
/// no persistence, in a temporary directory, killed and deleted at the end. Start-up is bounded; a
/// machine without Redis fails with "run scripts/setup.sh" rather than skipping.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _log;

    private RedisServer(Process process, string dir, int port, StringBuilder log)
    {
        _process = process;
        _dir = dir;
        Port = port;
        _log = log;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as <c>serve --redis</c> takes it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"Redis is not installed (no {Binary}): run scripts/setup.sh, which installs Debian's redis-server package");
        }

        var dir = Directory.CreateTempSubdirectory("vb-redis-").FullName;
        var port = PostgresServer.FreeLoopbackPort();
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in (string[])["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes"])
        {
            start.ArgumentList.Add(a);
        }

        var log = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Binary}");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, dir, port, log);
        var clock = Stopwatch.StartNew();
        while (!await server.AnswersAsync())
        {
            if (process.HasExited || clock.Elapsed > StartTimeout)
            {
                var output = server.Log;
                await server.DisposeAsync();
                throw new InvalidOperationException($"redis-server did not answer on port {port} within {StartTimeout.TotalSeconds:0} s:\n{output}");
            }

            using var pause = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            await pause.WaitForNextTickAsync();
        }

        return server;
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>PING answered with PONG.</summary>
    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var n = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }
}
