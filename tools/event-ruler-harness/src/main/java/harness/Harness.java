package harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.event.ruler.JsonRuleCompiler;
import software.amazon.event.ruler.Machine;

/**
 * Puts aws/event-ruler in the loop of the project's tests and benchmark: reads one JSON request per line on stdin and
 * writes one JSON response per line on stdout, in order. Patterns and events travel as JSON text (strings), so the
 * spelling of numbers and escapes reaches event-ruler unchanged. Every Machine is {@code new Machine()} (default mode)
 * and events are matched with {@code rulesForJSONEvent} (array consistency).
 *
 * <p>Requests ({@code op}):
 * <ul>
 *   <li>{@code validate} {pattern}: {ok:true} or {ok:false, error} (event-ruler's exact message)</li>
 *   <li>{@code match} {pattern, events:[...]}: the pattern as rule "r" of a fresh Machine;
 *       {ok:true, results:[true|false|"error: ..."]} or {ok:false, error} when the pattern is refused</li>
 *   <li>{@code ruleset} {id, rules:[[name, pattern], ...], builds}: builds a Machine ({@code builds} times, fastest
 *       reported); {ok, buildNanos, heapBytes}</li>
 *   <li>{@code query} {id, events:[...]}: {ok, results:[[rule names, sorted] | "error: ..."]}</li>
 *   <li>{@code bench} {id, events:[...], warmupMillis, timeMillis}: matches the events in a loop for warmupMillis,
 *       then counts the events matched in timeMillis (round-robin over the events); {ok, events, nanos, results:[[names,
 *       sorted]]} (no results with answers:false); events may be left out to reuse the previous ones</li>
 *   <li>{@code doubles} {numbers:[...]}: {ok, results:[Double.toString of each, on this JVM]}</li>
 *   <li>{@code drop} {id}: forgets a rule set</li>
 * </ul>
 * Any failure of a request gives {ok:false, error}; the harness keeps running until stdin closes.
 */
public final class Harness {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Map<String, Machine> machines = new HashMap<>();
    private final Map<String, List<String>> benchEvents = new HashMap<>();

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        Harness harness = new Harness();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) {
                continue;
            }
            ObjectNode response;
            try {
                response = harness.handle(MAPPER.readTree(line));
            } catch (Throwable t) {
                response = failure(t);
            }
            out.write(MAPPER.writeValueAsString(response));
            out.write('\n');
            // flush only when no further request is already waiting: pipelined requests are answered in bulk
            if (!in.ready()) {
                out.flush();
            }
        }
        out.flush();
    }

    private static ObjectNode failure(Throwable t) {
        ObjectNode r = MAPPER.createObjectNode();
        r.put("ok", false);
        r.put("error", message(t));
        return r;
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getName() : m;
    }

    /** event-ruler's verdict on a pattern: null when accepted, else its message. */
    static String refusal(String pattern) {
        String checked = JsonRuleCompiler.check(pattern);
        if (checked != null) {
            return checked;
        }
        try {
            new Machine().addRule("r", pattern);
            return null;
        } catch (Throwable t) {
            return message(t);
        }
    }

    private ObjectNode handle(JsonNode req) throws Exception {
        String op = req.path("op").asText();
        ObjectNode r = MAPPER.createObjectNode();
        switch (op) {
            case "validate": {
                String error = refusal(req.get("pattern").asText());
                r.put("ok", error == null);
                if (error != null) {
                    r.put("error", error);
                }
                return r;
            }
            case "match": {
                String pattern = req.get("pattern").asText();
                String error = refusal(pattern);
                if (error != null) {
                    r.put("ok", false);
                    r.put("error", error);
                    return r;
                }
                Machine machine = new Machine();
                machine.addRule("r", pattern);
                ArrayNode results = r.putArray("results");
                for (JsonNode e : req.get("events")) {
                    try {
                        results.add(!machine.rulesForJSONEvent(e.asText()).isEmpty());
                    } catch (Throwable t) {
                        results.add("error: " + message(t));
                    }
                }
                r.put("ok", true);
                return r;
            }
            case "ruleset": {
                // built "builds" times (default 1), each in a new Machine: the fastest build is reported, and the heap
                // the last Machine holds (measured after full collections)
                int builds = Math.max(1, req.path("builds").asInt(1));
                long buildNanos = Long.MAX_VALUE;
                long heapBytes = 0;
                for (int b = 0; b < builds; b++) {
                    machines.remove(req.get("id").asText());
                    gc();
                    long heapBefore = usedHeap();
                    long t0 = System.nanoTime();
                    Machine machine = new Machine();
                    for (JsonNode rule : req.get("rules")) {
                        machine.addRule(rule.get(0).asText(), rule.get(1).asText());
                    }
                    buildNanos = Math.min(buildNanos, System.nanoTime() - t0);
                    machines.put(req.get("id").asText(), machine);
                    gc();
                    heapBytes = usedHeap() - heapBefore;
                }
                r.put("ok", true);
                r.put("buildNanos", buildNanos);
                r.put("heapBytes", heapBytes);
                return r;
            }
            case "query": {
                Machine machine = machine(req);
                ArrayNode results = r.putArray("results");
                for (JsonNode e : req.get("events")) {
                    try {
                        results.add(names(machine.rulesForJSONEvent(e.asText())));
                    } catch (Throwable t) {
                        results.add("error: " + message(t));
                    }
                }
                r.put("ok", true);
                return r;
            }
            case "bench": {
                Machine machine = machine(req);
                List<String> events;
                if (req.has("events")) {
                    events = new ArrayList<>();
                    for (JsonNode e : req.get("events")) {
                        events.add(e.asText());
                    }
                    benchEvents.put(req.get("id").asText(), events);
                } else {
                    events = benchEvents.get(req.get("id").asText());
                }
                long warmupNanos = req.path("warmupMillis").asLong(0) * 1_000_000L;
                long timeNanos = req.path("timeMillis").asLong(1000) * 1_000_000L;
                long sink = loop(machine, events, warmupNanos)[1];
                long[] timed = loop(machine, events, timeNanos);
                if (req.path("answers").asBoolean(true)) {
                    ArrayNode results = r.putArray("results");
                    for (String e : events) {
                        results.add(names(machine.rulesForJSONEvent(e)));
                    }
                }
                r.put("ok", true);
                r.put("events", timed[0]);
                r.put("nanos", timed[2]);
                r.put("sink", sink + timed[1]);
                return r;
            }
            case "doubles": {
                // this JVM's Double.toString of each number text (it changed in JDK 19: JDK-4511638)
                ArrayNode results = r.putArray("results");
                for (JsonNode n : req.get("numbers")) {
                    results.add(Double.toString(Double.parseDouble(n.asText())));
                }
                r.put("ok", true);
                return r;
            }
            case "drop": {
                machines.remove(req.get("id").asText());
                r.put("ok", true);
                return r;
            }
            default:
                throw new IllegalArgumentException("unknown op: " + op);
        }
    }

    /**
     * Matches the events round-robin until at least {@code nanos} have passed (at least 64 events): the clock is
     * read every 64 events, so a slice of a slow Machine does not have to finish a whole pass.
     */
    private static long[] loop(Machine machine, List<String> events, long nanos) throws Exception {
        long count = 0;
        long sink = 0;
        long t0 = System.nanoTime();
        long elapsed;
        int i = 0;
        do {
            for (int k = 0; k < 64; k++) {
                sink += machine.rulesForJSONEvent(events.get(i)).size();
                if (++i == events.size()) {
                    i = 0;
                }
            }
            count += 64;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < nanos);
        return new long[] {count, sink, elapsed};
    }

    private Machine machine(JsonNode req) {
        Machine m = machines.get(req.get("id").asText());
        if (m == null) {
            throw new IllegalArgumentException("no rule set " + req.get("id").asText());
        }
        return m;
    }

    private static ArrayNode names(List<String> rules) {
        List<String> sorted = new ArrayList<>(rules);
        java.util.Collections.sort(sorted);
        ArrayNode a = MAPPER.createArrayNode();
        for (String s : sorted) {
            a.add(s);
        }
        return a;
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
