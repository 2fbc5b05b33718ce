using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceBridge.Faults;
using VoiceBridge.Hosting;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>voicebridge drill</c>: a fire drill on a running server through its admin API. Posts the
/// drill, polls it until every drilled call has switched (or <c>--wait</c> passes) and prints one
/// line per drilled call with its switch figures. Exit 0 when calls were drilled and every one
/// switched without losing caller audio, 1 otherwise, 2 for bad input or a refusal.
/// </summary>
internal static class DrillCommand
{
    /// <summary>The token's environment variable, the same serve reads.</summary>
    public const string TokenVariable = "VOICEBRIDGE_ADMIN_TOKEN";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "The server's base URL, e.g. http://127.0.0.1:8080", Required = true };
        var call = new Option<string?>("--call") { Description = "Drill this live call (its id: Twilio CallSid, SIP Call-ID)" };
        var share = new Option<decimal?>("--share") { Description = "Drill this percentage of new calls (deterministic: 50 of 10 calls is 5)" };
        var duration = new Option<int?>("--duration") { Description = "With --share: new calls starting within this many seconds" };
        var fault = new Option<string>("--fault") { Description = "TARGET[:KIND][@WHEN], e.g. primary:close@turn2, primary:drill (the forced switch)", Required = true };
        var token = new Option<string?>("--token") { Description = $"The admin bearer token [{TokenVariable}]" };
        var wait = new Option<int?>("--wait") { Description = "Seconds to wait for the drilled calls to switch [60; with --share, its duration + 60]" };
        var command = new Command("drill", "Fire drill on a live server: force a fault on a call or a share of new calls, and report each drilled call's switch")
        {
            server, call, share, duration, fault, token, wait,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new DrillOptions(
                parse.GetValue(server)!, parse.GetValue(call), parse.GetValue(share), parse.GetValue(duration), parse.GetValue(fault)!,
                parse.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable), parse.GetValue(wait));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            return await RunAsync(options, http, TimeProvider.System, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct);
        });
        return command;
    }

    /// <summary>Runs a drill against <see cref="DrillOptions.Server"/> with <paramref name="http"/>; the exit code.</summary>
    public static async Task<int> RunAsync(DrillOptions options, HttpClient http, TimeProvider time, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (Problem(options) is { } problem)
        {
            error.WriteLine($"drill: {problem}");
            return 2;
        }

        var server = new Uri(options.Server.TrimEnd('/') + "/", UriKind.Absolute);
        var request = new AdminDrillRequest(options.Call, options.Share, options.DurationS, options.Fault);
        AdminDrillView? drill;
        try
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(server, "admin/drills")) { Content = JsonContent.Create(request, options: AdminJson.Options) };
            using var response = await SendAsync(http, post, options.Token, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                error.WriteLine($"drill: refused: {await RefusalAsync(response, server, cancellationToken)}");
                return 2;
            }

            drill = await response.Content.ReadFromJsonAsync<AdminDrillView>(AdminJson.Options, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            error.WriteLine($"drill: cannot reach the admin API at {server}: {e.Message}");
            return 2;
        }

        if (drill is null)
        {
            error.WriteLine("drill: the server answered 202 with no drill");
            return 2;
        }

        output.WriteLine($"drill {drill.Id}: {drill.Fault}, {(drill.Call is not null ? $"call {drill.Call}" : $"{drill.Share} % of new calls for {drill.DurationS} s")}");
        var waitS = options.WaitS ?? (options.DurationS ?? 0) + 60;
        try
        {
            var start = time.GetTimestamp();
            using var poll = new PeriodicTimer(Poll, time);
            while (drill.State != "done" && time.GetElapsedTime(start) < TimeSpan.FromSeconds(waitS) && await poll.WaitForNextTickAsync(cancellationToken))
            {
                drill = await GetAsync(http, server, drill.Id, options.Token, cancellationToken) ?? drill;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            error.WriteLine($"drill: lost the admin API at {server}: {e.Message}");
        }

        return Report(drill, waitS, output);
    }

    /// <summary>One line per drilled call, a summary, and the exit code: 0 only when every drilled call switched and lost no caller audio.</summary>
    internal static int Report(AdminDrillView drill, int waitS, TextWriter output)
    {
        foreach (var call in drill.Calls)
        {
            var s = call.Switch;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{call.Call} {call.State}: {(s is null ? call.Missed ?? "no switch" : $"{s.From} -> {s.To} ({s.Reason}) faultAtMs={call.FaultAtMs} detectedAtMs={s.DetectedAtMs} handoffMs={s.HandoffMs?.ToString(CultureInfo.InvariantCulture) ?? "-"} deadAirMs={s.DeadAirMs?.ToString(CultureInfo.InvariantCulture) ?? "-"} lostCallerAudioMs={s.LostCallerAudioMs} replayedCallerAudioMs={s.ReplayedCallerAudioMs} discontinuities={s.OutboundDiscontinuities}")}"));
        }

        var switched = drill.Calls.Count(c => c.Switch is not null);
        var lost = drill.Calls.Count(c => c.Switch is { LostCallerAudioMs: > 0 });
        var ok = drill.Calls.Count > 0 && switched == drill.Calls.Count && lost == 0;
        output.WriteLine($"drill {drill.Id} {drill.State}: {drill.CallsDrilled} of {drill.CallsSeen} calls drilled, {switched} switched, {lost} lost caller audio"
            + (drill.State == "done" ? "" : $" (still running after --wait {waitS} s)")
            + (ok ? "" : drill.Calls.Count == 0 ? ": FAILED (no call was drilled)" : ": FAILED"));
        return ok ? 0 : 1;
    }

    private static string? Problem(DrillOptions options)
    {
        if (!Uri.TryCreate(options.Server, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            return $"--server '{options.Server}' is not an http(s) URL";
        }

        if ((options.Call is null) == (options.Share is null))
        {
            return "give --call ID (one live call) or --share PCT with --duration S (new calls)";
        }

        if (options.Share is { } share)
        {
            if (DrillShare.ParseProblem(share) is { } shareProblem)
            {
                return $"--share: {shareProblem}";
            }

            if (options.DurationS is not (> 0 and <= 86_400))
            {
                return "--share needs --duration S, 1-86400 seconds";
            }
        }
        else if (options.DurationS is not null)
        {
            return "--duration goes with --share";
        }

        if (options.WaitS is < 1 or > 86_400)
        {
            return "--wait is 1-86400 seconds";
        }

        return DrillFault.TryParse(options.Fault, options.Call is not null, out _, out var error) ? null : $"--fault: {error}";
    }

    private static async Task<AdminDrillView?> GetAsync(HttpClient http, Uri server, string id, string? token, CancellationToken cancellationToken)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(server, $"admin/drills/{Uri.EscapeDataString(id)}"));
        using var response = await SendAsync(http, get, token, cancellationToken);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<AdminDrillView>(AdminJson.Options, cancellationToken) : null;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string? token, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http.SendAsync(request, cancellationToken);
    }

    private static async Task<string> RefusalAsync(HttpResponseMessage response, Uri server, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? reason = null;
        try
        {
            reason = JsonSerializer.Deserialize<AdminError>(body, AdminJson.Options)?.Error;
        }
        catch (JsonException)
        {
            // Not the admin API's answer (a proxy, or the API is off): the status says it.
        }

        return (status, reason) switch
        {
            (401, _) => $"{reason ?? "unauthorized"} (HTTP 401: give --token or {TokenVariable})",
            (404, null) => $"no admin API at {server} (HTTP 404: serve runs it only with --admin-token, or --admin-open on loopback)",
            _ => $"{reason ?? body.Trim()} (HTTP {status})",
        };
    }
}

/// <summary>What <c>voicebridge drill</c> was asked.</summary>
internal sealed record DrillOptions(string Server, string? Call, decimal? Share, int? DurationS, string Fault, string? Token, int? WaitS);
