// Learned project rows: fit() trains one row per project from the examples, then routes with
// one row per project through the same kernel. Feedback moves a prompt to the right project.
// By default create() fits in the background by itself (fit: 'auto'; router.whenFitted() waits
// for it); this example turns that off to drive fit() by hand.
import { FastProjectRouter } from '../src/index.js';

const router = await FastProjectRouter.create({
  projects: [
    { name: 'garden', description: 'gardening: plants, soil, pruning', examples: ['when to prune roses', 'best soil for tomatoes', 'repotting a fern', 'watering succulents'] },
    { name: 'kitchen', description: 'cooking: recipes, baking, knives', examples: ['how to bake bread', 'sharpen a chef knife', 'a quick pasta recipe', 'proofing pizza dough'] },
    { name: 'travel', description: 'travel: flights, hotels, visas', examples: ['cheap flights to rome', 'do I need a visa', 'book a hotel near the station', 'lost luggage claim'] },
  ],
  defaultProject: 'default/travel',
  fit: false,
});
console.log(`before fit: ${router.stats().rows} rows, ${router.fitState}`);
router.on('fit:done', (r) => console.log(`fit:done: ${r.projects} projects, ${r.examples} examples, ${r.heldOut} held out`));
await router.fit({ seed: 1 });
console.log(`after fit: ${router.stats().rows} rows, ${router.fitState}`);
for (const prompt of ['my roses need pruning', 'bread dough will not rise', 'hotel booking for rome']) {
  console.log(`${prompt} -> ${router.routeSync('auto', prompt).modelPath}`);
}
const report = await router.fit({ seed: 1, feedback: [{ prompt: 'herbs for the pasta sauce', chosen: 'default/garden', rejected: 'default/kitchen' }] });
console.log(`feedback used: ${report.feedbackUsed}, dropped: ${report.feedbackDropped}`);
await router.upsertProject({ name: 'music', description: 'music lessons: piano, violin' });
console.log(`after upsert: ${router.fitState}`);

// Expected output:
// before fit: 15 rows, unfitted
// fit:done: 3 projects, 15 examples, 3 held out
// after fit: 3 rows, fitted
// my roses need pruning -> default/garden
// bread dough will not rise -> default/kitchen
// hotel booking for rome -> default/travel
// fit:done: 3 projects, 16 examples, 3 held out
// feedback used: 1, dropped: 0
// after upsert: stale
