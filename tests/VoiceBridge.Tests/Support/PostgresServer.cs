using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace VoiceBridge.Tests.Support;

/// <summary>
/// A private, real PostgreSQL server for a test collection: <c>initdb</c> into a temporary
/// directory (trust authentication, user <c>postgres</c>), <c>pg_ctl start</c> on a free loopback
/// port with its socket in that directory, and stop + delete at the end. Run as the <c>postgres</c>
/// OS user when the tests run as root (initdb refuses root). Every step is bounded in time; a
/// machine without PostgreSQL fails with "run scripts/setup.sh".
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The bound on each tool run; pg_ctl's own wait (-t 60) ends first.</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);
    private string _dir = "";
    private string _bin = "";
    private bool _started;
    private int _databases;

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>How long start-up took (initdb, start, first database).</summary>
    public TimeSpan StartUp { get; private set; }

    private string DataDir => Path.Combine(_dir, "data");

    private string LogFile => Path.Combine(_dir, "server.log");

    /// <summary>The connection string of <paramref name="database"/> on this server (no password: trust).</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ToString();

    /// <summary>A fresh, empty database of its own, so tests never see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"vb_test_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        _bin = FindBinDirectory();
        _dir = Directory.CreateTempSubdirectory("vb-pg-").FullName;
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }

        StartUp = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_started)
            {
                _started = false;
                NpgsqlConnection.ClearAllPools();
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", DataDir, "-m", "fast", "-w", "-t", "60"]);
            }
        }
        finally
        {
            if (Directory.Exists(_dir))
            {
                Directory.Delete(_dir, recursive: true);
            }
        }
    }

    private async Task StartAsync()
    {
        if (RunsAsRoot)
        {
            await RunAsync("chown", ["postgres:", _dir], asPostgres: false);
        }

        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        Port = FreeLoopbackPort();
        var server = $"-c listen_addresses=127.0.0.1 -p {Port} -k {_dir} -c fsync=off -c full_page_writes=off -c synchronous_commit=off";
        try
        {
            // -w: pg_ctl itself waits until the server accepts connections (bounded by -t).
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["start", "-D", DataDir, "-l", LogFile, "-w", "-t", "60", "-o", server]);
        }
        catch (InvalidOperationException e)
        {
            var log = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(none)";
            try
            {
                // pg_ctl gives up waiting but leaves a slow server running: stop it before the directory goes.
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", DataDir, "-m", "immediate", "-w", "-t", "60"]);
            }
            catch (InvalidOperationException)
            {
                // Not running.
            }

            throw new InvalidOperationException($"{e.Message}\nserver log:\n{log}", e);
        }

        _started = true;
        await CreateDatabaseAsync();
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    /// <summary>Debian's /usr/lib/postgresql/VERSION/bin (the newest version installed).</summary>
    private static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
                .Where(d => d.version >= 0 && File.Exists(Path.Combine(d.dir, "bin", "initdb")) && File.Exists(Path.Combine(d.dir, "bin", "pg_ctl")))
                .OrderByDescending(d => d.version)
                .Select(d => Path.Combine(d.dir, "bin"))
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"PostgreSQL is not installed (no {root}/VERSION/bin/initdb): run scripts/setup.sh, which installs Debian's postgresql package");
    }

    /// <summary>A loopback port nobody listens on now (bound, then released).</summary>
    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a tool to its end (as the postgres OS user when we are root); its output in the error when it fails or overruns.</summary>
    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres = true)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        if (asPostgres && RunsAsRoot)
        {
            start.FileName = "runuser";
            foreach (var a in (string[])["-u", "postgres", "--", file])
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = file;
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        var commandLine = string.Join(' ', (string[])[start.FileName, .. start.ArgumentList]);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {commandLine}");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{commandLine} did not finish within {StepTimeout.TotalSeconds:0} s:\n{Text(output)}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{commandLine} exited with {process.ExitCode}:\n{Text(output)}");
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}

/// <summary>Tests that share one <see cref="PostgresServer"/> (started once for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
